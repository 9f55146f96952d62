import type { DecodedSpan } from './decoded-span.ts';
import { spanJson } from './json-encode.ts';

/**
 * OTLP/JSON written back as it came (`tracejudge check`): the line's text is kept, and only the
 * spans the pipeline changed (the replies it gave results to) are written anew, encoded whole in
 * their place. Re-encoding every span of every line was an eighth of a check run
 * (bench/check-cli.ts, profiled); most spans of a line are tools and turns that gain nothing, and
 * they keep their sender's own bytes (field order, key case, number forms). A changed span is
 * encoded whole rather than spliced so that running `check` on its own output gives that output
 * again (its earlier results are replaced, which a splice could not say).
 */

/** `[start, end)` of each span object of an ExportTraceServiceRequest, in document order; undefined if the text is not laid out as one. */
export function spanRangesOf(text: string): [number, number][] | undefined {
  const ranges: [number, number][] = [];
  try {
    const end = eachMember(text, skipSpace(text, 0), (key, at) => {
      if (key !== 'resourceSpans') return skipValue(text, at);
      return eachElement(text, at, (resourceAt) =>
        eachMember(text, resourceAt, (resourceKey, scopeSpansAt) => {
          if (resourceKey !== 'scopeSpans') return skipValue(text, scopeSpansAt);
          return eachElement(text, scopeSpansAt, (scopeAt) =>
            eachMember(text, scopeAt, (scopeKey, spansAt) => {
              if (scopeKey !== 'spans') return skipValue(text, spansAt);
              return eachElement(text, spansAt, (spanAt) => {
                const spanEnd = skipValue(text, spanAt);
                ranges.push([spanAt, spanEnd]);
                return spanEnd;
              });
            }),
          );
        }),
      );
    });
    return skipSpace(text, end) === text.length ? ranges : undefined;
  } catch {
    return undefined; // not the layout expected (the decoder already accepted it as JSON: a field of another shape)
  }
}

/** The line with each span the pipeline changed written anew; `spans` are the line's decoded spans, one per range, in order. */
export function spliceSpans(text: string, ranges: readonly [number, number][], spans: readonly DecodedSpan[]): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    if (!span.changedSinceDecode()) continue;
    const [start, end] = ranges[i];
    out += text.slice(from, start) + JSON.stringify(spanJson(span));
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

// A minimal JSON walker over text the decoder has already parsed (so it is valid JSON): each
// function returns the index just past what it read, and throws on a layout it does not expect.

function skipSpace(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

function expect(text: string, at: number, code: number): void {
  if (text.charCodeAt(at) !== code) throw new SyntaxError(`unexpected layout at ${at}`);
}

/** Past a string starting at `at` (its opening quote). */
function skipString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    for (let b = quote - 1; text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Past any JSON value starting at `at`. */
function skipValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === 0x22) return skipString(text, at);
  if (c !== 0x7b && c !== 0x5b) {
    let i = at;
    for (;;) {
      const d = text.charCodeAt(i);
      if (Number.isNaN(d) || d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
      i++;
    }
  }
  let depth = 0;
  let i = at;
  for (;;) {
    const d = text.charCodeAt(i);
    if (Number.isNaN(d)) throw new SyntaxError('unterminated container');
    if (d === 0x22) {
      i = skipString(text, i);
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
}

/** Each member of the object at `at`: `visit(key, valueStart)` returns the index past the value. */
function eachMember(text: string, at: number, visit: (key: string, valueAt: number) => number): number {
  expect(text, at, 0x7b);
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === 0x7d) return i + 1;
  for (;;) {
    expect(text, i, 0x22);
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    expect(text, i, 0x3a);
    i = skipSpace(text, visit(key, skipSpace(text, i + 1)));
    if (text.charCodeAt(i) === 0x7d) return i + 1;
    expect(text, i, 0x2c);
    i = skipSpace(text, i + 1);
  }
}

/** Each element of the array at `at`: `visit(elementStart)` returns the index past it. */
function eachElement(text: string, at: number, visit: (elementAt: number) => number): number {
  expect(text, at, 0x5b);
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === 0x5d) return i + 1;
  for (;;) {
    i = skipSpace(text, visit(i));
    if (text.charCodeAt(i) === 0x5d) return i + 1;
    expect(text, i, 0x2c);
    i = skipSpace(text, i + 1);
  }
}
