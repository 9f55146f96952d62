import { isRecord, textOf } from './decode.ts';

/**
 * Keys under which frameworks put the human-readable part of an input or output
 * payload: OpenLLMetry `{"inputs": …}` / `{"outputs": …}`, JS `{"args": […]}`,
 * LangChain `{"input": …}`, `{"messages": [{content}]}`, and the like. First match wins.
 */
const TEXT_KEYS = [
  'content', 'text', 'message', 'question', 'query', 'input', 'output', 'answer', 'result', 'response',
  'inputs', 'outputs', 'args', 'messages',
] as const;

const MAX_DEPTH = 4;

/**
 * Best-effort text of a JSON payload (OpenInference `input.value` with a JSON mime
 * type, OpenLLMetry `traceloop.entity.*`). When no text-like key is found the
 * compact JSON is the text: for grounding, every value in it stays visible.
 */
export function payloadText(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (depth < MAX_DEPTH) {
    if (Array.isArray(value)) {
      let text = '';
      for (const item of value) {
        const itemText = payloadText(item, depth + 1);
        if (itemText) text = text ? `${text}\n${itemText}` : itemText;
      }
      return text;
    }
    if (isRecord(value)) {
      for (const key of TEXT_KEYS) {
        const inner = value[key];
        if (inner === undefined || inner === null) continue;
        const text = payloadText(inner, depth + 1);
        if (text) return text;
      }
    }
  }
  return textOf(value);
}
