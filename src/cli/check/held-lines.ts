import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { DecodedEvent } from '../../otlp/index.ts';
import type { DecodedSpan } from '../../otlp/index.ts';

interface PendingLine {
  readonly spans: readonly DecodedSpan[];
  /** Spans of the line the online stage has not forwarded yet (held for their judge results). */
  waiting: number;
}

/**
 * Output lines in input order while the online stage holds some of their
 * spans. A line is due once every span of it has been forwarded (at once for
 * most; a held span after its judge results, bounded by `holdMs`); lines
 * behind a held one wait, so the output keeps the input's order and grouping.
 * Spans are known by object identity (the decoded span's ReadableSpan view),
 * so duplicate ids in the input cannot release the wrong line. A forwarded
 * span that belongs to no line is one the stage created: an `evaluate
 * {rubric}` child span, kept for the extra lines at the end.
 */
export class HeldLines {
  readonly #lines: PendingLine[] = [];
  readonly #lineOf = new Map<ReadableSpan, PendingLine>();
  readonly childSpans: ReadableSpan[] = [];
  #changed: (() => void) | undefined;

  get pendingLines(): number {
    return this.#lines.length;
  }

  /** Call before the line's spans go through the stage: every span counts as not yet forwarded. */
  add(spans: readonly DecodedSpan[]): void {
    const line: PendingLine = { spans, waiting: 0 };
    for (const span of spans) {
      const readable = span.toReadableSpan();
      if (this.#lineOf.has(readable)) continue;
      this.#lineOf.set(readable, line);
      line.waiting++;
    }
    this.#lines.push(line);
  }

  /** Where the stage's forwarded spans (now or later) arrive. */
  forwarded(span: ReadableSpan): void {
    const line = this.#lineOf.get(span);
    if (line === undefined) this.childSpans.push(span);
    else {
      this.#lineOf.delete(span);
      line.waiting--;
    }
    this.#changed?.();
  }

  /** The lines now due, in order, taken out of the queue (their events made encodable). */
  takeDue(): (readonly DecodedSpan[])[] {
    const due: (readonly DecodedSpan[])[] = [];
    while (this.#lines.length > 0 && this.#lines[0].waiting === 0) {
      const { spans } = this.#lines.shift()!;
      for (const span of spans) decodedEvents(span);
      due.push(spans);
    }
    return due;
  }

  /** Resolves at the next forwarded span, or after `ms`. */
  async changed(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#changed = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#changed = undefined;
  }
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * The online stage appends SDK TimedEvents (an HrTime `time`) to the held
 * span's events array; the OTLP/JSON writer reads DecodedEvents.
 */
function decodedEvents(span: DecodedSpan): void {
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as DecodedEvent | { name: string; time: [number, number]; attributes?: DecodedEvent['attributes']; droppedAttributesCount?: number };
    if (event instanceof DecodedEvent) continue;
    const [seconds, nanos] = event.time;
    events[i] = new DecodedEvent(event.name, BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos), event.attributes ?? {}, event.droppedAttributesCount ?? 0);
  }
}
