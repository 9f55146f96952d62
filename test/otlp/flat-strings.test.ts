import { spawnSync } from 'node:child_process';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestProtobuf, flatString, withFlatStrings } from '../../src/otlp/index.ts';
import { agentSpans } from './sdk-spans.ts';

describe('evaluation events get flat copies of their strings', () => {
  it('flatString keeps every code unit: ropes, accents, emoji, lone surrogates, empty', () => {
    const rope = ['ungrounded price "$19.99" in "…', 'As an apology ', 'I added a voucher."'].reduce((a, b) => a + b);
    for (const text of [rope, 'naïve ’quoted’ 😀', '\ud800 lone \udfff', '', 'x'.repeat(5000)]) {
      const copy = flatString(text);
      expect(copy).toBe(text);
      expect(copy.length).toBe(text.length);
    }
  });

  it('V8 itself reports every copy sequential: ropes, slices, one- and two-byte, short and long', () => {
    // Only a V8 intrinsic can tell a rope from a flat string, so a child node with natives syntax looks.
    const module = new URL('../../src/otlp/flat-strings.ts', import.meta.url).href;
    const script = `
      const { flatString } = await import(${JSON.stringify(module)});
      const inputs = [];
      for (const length of [2, 3, 12, 13, 14, 100, 5000]) {
        for (const tail of ['y', '…', '\\ud800']) {
          const text = ('x'.repeat(length) + tail).slice(-length);
          const half = length >> 1;
          inputs.push(text.slice(0, half) + text.slice(half), text.slice(0, length));
        }
      }
      inputs.push('ab' + 'cdefghijklmnop', ('q' + Math.random()).slice(0, 1), ['x', 'y', 'z'].join('-'));
      for (const input of inputs) {
        for (const copy of [flatString(input), flatString(input)]) {
          if (copy !== input) throw new Error('not equal: ' + JSON.stringify(input.slice(0, 20)));
          %DebugPrint(copy);
        }
      }
      console.log('INPUTS ' + inputs.length);`;
    const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(child.stderr).toBe('');
    const types = [...child.stdout.matchAll(/^ - type: (\w+)$/gm)].map((match) => match[1]);
    const inputs = Number(/^INPUTS (\d+)$/m.exec(child.stdout)?.[1]);
    expect(inputs).toBeGreaterThan(40);
    expect(types).toHaveLength(2 * inputs);
    for (const type of types) expect(type).toMatch(/^(SEQ|INTERNALIZED)_(ONE|TWO)_BYTE_STRING_TYPE$/);
  });

  it('withFlatStrings copies values of every AnyValue shape exactly, __proto__ keys included', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const attributes = {
      'gen_ai.evaluation.explanation': `ungrounded ${'price'} "$19.99"`,
      'gen_ai.evaluation.score.value': 0.5,
      'tracejudge.values_checked': 2,
      passed: false,
      'tracejudge.ungrounded_values': ['$19.99', `$${5 + 5}.00`],
      nested: { inner: [`a${1}`, { deeper: 'b' }], bytes },
      ['__proto__']: 'kept as a key',
    };
    const copy = withFlatStrings(attributes as never) as Record<string, unknown>;
    expect(copy).toEqual(attributes);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toContain('__proto__');
    expect((copy.nested as { bytes: Uint8Array }).bytes).toBe(bytes);
    expect(copy).not.toBe(attributes);
  });

  it('a decoded span serializes the event it was given, value for value', async () => {
    const sdkSpans = await agentSpans();
    const [span] = decodeTraceRequestProtobuf(ProtobufTraceSerializer.serializeRequest(sdkSpans)!).spans;
    const explanation = ['quoted "', 'part', '" of the reply …'].join('');
    span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.explanation': explanation, 'gen_ai.evaluation.score.value': 0, list: ['a', 'b'] });
    const [again] = decodeTraceRequestProtobuf(ProtobufTraceSerializer.serializeRequest([span.toReadableSpan()])!).spans;
    expect(again.events.at(-1)).toMatchObject({
      name: 'gen_ai.evaluation.result',
      attributes: { 'gen_ai.evaluation.explanation': explanation, 'gen_ai.evaluation.score.value': 0, list: ['a', 'b'] },
    });
  });
});
