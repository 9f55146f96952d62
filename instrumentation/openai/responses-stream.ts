import { parseArguments, textPart } from '../genai-json.ts';
import type { GenAIPart } from '../genai-json.ts';
import type { ChatCallResult } from './chat-span.ts';
import { asNumber, asRecord, asString } from './read.ts';
import type { Loose } from './read.ts';
import { responseResult } from './responses.ts';

/**
 * Folds Responses streaming events. The terminal event (`response.completed`,
 * `.incomplete`, `.failed`) carries the whole response and wins; the deltas are
 * what is left when the stream stops before it.
 */
export class ResponseEventAccumulator {
  readonly #keepContent: boolean;
  #final: unknown;
  #started: Loose | undefined;
  #failure: ChatCallResult['failure'];
  readonly #texts = new Map<number, string>();
  readonly #calls = new Map<number, { id?: string; name: string; arguments: string }>();

  constructor(keepContent: boolean) {
    this.#keepContent = keepContent;
  }

  add(event: unknown): void {
    const body = asRecord(event);
    if (!body) return;
    const index = asNumber(body.output_index) ?? 0;
    switch (body.type) {
      case 'response.created':
      case 'response.in_progress':
        this.#started = asRecord(body.response);
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.#final = body.response;
        break;
      case 'error':
        this.#failure = { type: asString(body.code) ?? 'error', ...(asString(body.message) && { message: asString(body.message) }) };
        break;
      case 'response.output_text.delta':
        if (this.#keepContent) this.#texts.set(index, (this.#texts.get(index) ?? '') + (asString(body.delta) ?? ''));
        break;
      case 'response.output_item.added': {
        const item = asRecord(body.item);
        if (this.#keepContent && item?.type === 'function_call') {
          const id = asString(item.call_id);
          this.#calls.set(index, { ...(id && { id }), name: asString(item.name) ?? '', arguments: asString(item.arguments) ?? '' });
        }
        break;
      }
      case 'response.function_call_arguments.delta': {
        const call = this.#calls.get(index);
        if (call) call.arguments += asString(body.delta) ?? '';
        break;
      }
    }
  }

  result(): ChatCallResult {
    if (this.#final !== undefined) {
      const result = responseResult(this.#final);
      return this.#failure ? { ...result, failure: this.#failure } : result;
    }
    const parts: GenAIPart[] = [];
    for (const index of [...new Set([...this.#texts.keys(), ...this.#calls.keys()])].sort((a, b) => a - b)) {
      const text = this.#texts.get(index);
      if (text) parts.push(textPart(text));
      const call = this.#calls.get(index);
      if (call) {
        const args = parseArguments(call.arguments);
        parts.push({ type: 'tool_call', ...(call.id && { id: call.id }), name: call.name, ...(args !== undefined && { arguments: args }) });
      }
    }
    const responseId = asString(this.#started?.id);
    const responseModel = asString(this.#started?.model);
    return {
      ...(responseId && { responseId }),
      ...(responseModel && { responseModel }),
      outputMessages: [{ role: 'assistant', parts, finish_reason: this.#failure ? 'error' : 'incomplete' }],
      ...(this.#failure && { failure: this.#failure }),
    };
  }
}
