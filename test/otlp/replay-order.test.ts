import { describe, expect, it } from 'vitest';
import { endOrder } from '../../src/otlp/replay-order.ts';
import { decodeTraceRequestJson } from '../../src/otlp/index.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';

interface Shape {
  readonly id: string;
  readonly parent?: string;
  /** Milliseconds after a fixed start. */
  readonly end: number;
  readonly trace?: string;
}

/** A readable name as a span id: its bytes in hex (names up to 8 characters). */
const hexId = (name: string) => Buffer.from(name, 'latin1').toString('hex').padStart(16, '0');

/** Spans as a request carries them, in the given order, decoded by the collector's own decoder. */
function request(shapes: readonly Shape[]) {
  const span = (shape: Shape) => ({
    traceId: shape.trace ?? TRACE,
    spanId: hexId(shape.id),
    ...(shape.parent !== undefined && { parentSpanId: hexId(shape.parent) }),
    name: `span ${shape.id}`,
    startTimeUnixNano: '1750000000000000000',
    endTimeUnixNano: String(1750000000000000000n + BigInt(Math.round(shape.end * 1000)) * 1000n),
  });
  const decoded = decodeTraceRequestJson(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: shapes.map(span) }] }] })));
  expect(decoded.rejected).toEqual([]);
  return decoded.spans;
}

const names = (spans: readonly { name: string }[]) => spans.map((span) => span.name.replace('span ', ''));

describe('endOrder', () => {
  it('is end-time order when no parent ends before a child of it', () => {
    const spans = request([
      { id: 'a', end: 5 },
      { id: 'b', parent: 'a', end: 3 },
      { id: 'c', end: 1 },
      { id: 'd', parent: 'a', end: 4 },
    ]);
    expect(names(endOrder(spans))).toEqual(['c', 'b', 'd', 'a']);
  });

  it('ends a parent whose recorded end precedes its children after them (the JS SDK stamps starts in whole milliseconds)', () => {
    // The collector bench's turn as the SDK recorded it: invoke_agent ends at 1.54 ms, its children at 2.01–2.02 ms.
    const spans = request([
      { id: 'tool1', parent: 'agent', end: 2.01 },
      { id: 'tool2', parent: 'agent', end: 2.014 },
      { id: 'chat', parent: 'agent', end: 2.015 },
      { id: 'agent', end: 1.54 },
      { id: 'next', end: 1.8 },
    ]);
    expect(names(endOrder(spans))).toEqual(['next', 'tool1', 'tool2', 'chat', 'agent']);
  });

  it('lifts every ancestor past its latest descendant, the deepest first on ties', () => {
    const spans = request([
      { id: 'root', end: 1 },
      { id: 'child', parent: 'root', end: 2 },
      { id: 'grand', parent: 'child', end: 9 },
      { id: 'sibling', parent: 'root', end: 3 },
      { id: 'other', end: 5 },
    ]);
    expect(names(endOrder(spans))).toEqual(['sibling', 'other', 'grand', 'child', 'root']);
  });

  it('links parents within a trace only', () => {
    const spans = request([
      { id: 'p', end: 1, trace: OTHER_TRACE },
      { id: 'c', parent: 'p', end: 2 },
    ]);
    expect(names(endOrder(spans))).toEqual(['p', 'c']);
  });

  it('bad data — a cycle of parent ids, a span its own parent, a repeated span id — ends every span once and returns', () => {
    const spans = request([
      { id: 'x', parent: 'y', end: 1 },
      { id: 'y', parent: 'x', end: 2 },
      { id: 'self', parent: 'self', end: 3 },
      { id: 'dup', parent: 'x', end: 4 },
      { id: 'dup', end: 0 },
    ]);
    const ordered = endOrder(spans);
    expect(ordered).toHaveLength(spans.length);
    expect(new Set(ordered)).toEqual(new Set(spans));
  });
});
