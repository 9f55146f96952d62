/**
 * Newline-delimited input with a bound on line length. `node:readline` keeps
 * a line of any length in memory; one runaway line (a file that is not
 * NDJSON, a corrupt export) must not take the process with it, so a line past
 * `maxLineBytes` is skipped without being held and reported as too long.
 */

export type InputLine =
  | { readonly number: number; readonly text: string }
  | { readonly number: number; readonly tooLongBytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

function lineText(parts: readonly Buffer[]): string {
  let text = parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8');
  if (text.charCodeAt(text.length - 1) === CARRIAGE_RETURN) text = text.slice(0, -1);
  return text;
}

/** Lines of `input` (1-based numbers), `\n` or `\r\n` terminated; the last line may lack one. */
export async function* readLines(input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let bytes = 0;
  let tooLong = false;
  let number = 1;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      bytes += end - start;
      if (bytes > maxLineBytes) {
        tooLong = true;
        parts = [];
      } else if (end > start) {
        parts.push(buffer.subarray(start, end));
      }
      if (newline === -1) break;
      yield tooLong ? { number, tooLongBytes: bytes } : { number, text: lineText(parts) };
      number++;
      parts = [];
      bytes = 0;
      tooLong = false;
      start = newline + 1;
    }
  }
  if (tooLong) yield { number, tooLongBytes: bytes };
  else if (bytes > 0) yield { number, text: lineText(parts) };
}
