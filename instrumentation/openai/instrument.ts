import { context, createContextKey, diag, trace } from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import type { OpenAI } from 'openai';
import { describeType, warn } from '../app-attributes.ts';
import { OPENAI_TRACER_NAME } from '../tracer-names.ts';
import { observeCall } from './api-promise.ts';
import { captureMessageContent } from './capture.ts';
import { ChatChunkAccumulator, chatCompletionResult, chatRequest } from './chat-completions.ts';
import { ChatSpan, serverEndpointOf } from './chat-span.ts';
import type { ChatCallResult, ChatRequest, ServerEndpoint } from './chat-span.ts';
import { asRecord } from './read.ts';
import type { Loose } from './read.ts';
import { responseResult, responsesRequest } from './responses.ts';
import { ResponseEventAccumulator } from './responses-stream.ts';
import { isStream, observeStream } from './stream.ts';

export interface OpenAIInstrumentationOptions {
  /**
   * Put prompts and completions on the chat spans. Default: the variable
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, else off.
   */
  readonly captureMessageContent?: boolean;
  /** Default: the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
}

/** How one API's bodies become span data. */
interface ApiShape {
  request(body: Loose): ChatRequest;
  result(value: unknown): ChatCallResult;
  accumulator(keepContent: boolean): { add(item: unknown): void; result(): ChatCallResult };
}

const CHAT_COMPLETIONS: ApiShape = {
  request: chatRequest,
  result: chatCompletionResult,
  accumulator: (keepContent) => new ChatChunkAccumulator(keepContent),
};

const RESPONSES: ApiShape = {
  request: responsesRequest,
  result: responseResult,
  accumulator: (keepContent) => new ResponseEventAccumulator(keepContent),
};

interface Settings {
  readonly tracer: Tracer;
  readonly captureOption: boolean | undefined;
  readonly server: ServerEndpoint | undefined;
}

type Method = (this: unknown, body: unknown, options?: unknown) => unknown;

const INSTRUMENTED = Symbol.for('tracejudge.openai.instrumented');
/** `chat.completions.parse` calls `create` on the same client: its span is the only one. */
const INSIDE_TRACED_CALL = createContextKey('tracejudge.openai.inside_traced_call');

/**
 * Wraps this client instance's `chat.completions.create`, `chat.completions.parse`
 * and `responses.create` (which `responses.parse` / `.stream` and the chat
 * helpers call) so each call emits a `chat {model}` CLIENT span. The module is
 * not patched: other clients, and clients from `withOptions()`, stay untraced.
 * Returns the same client.
 */
export function instrumentOpenAI<C extends OpenAI>(client: C, options: OpenAIInstrumentationOptions = {}): C {
  const target = client as unknown as { [INSTRUMENTED]?: boolean; baseURL?: unknown; chat?: { completions?: Loose }; responses?: Loose };
  if (typeof target !== 'object' || target === null) {
    warn(`instrumentOpenAI: "client" must be an OpenAI instance, got ${describeType(client)}; nothing instrumented`);
    return client;
  }
  if (target[INSTRUMENTED]) {
    diag.debug('tracejudge: instrumentOpenAI called twice on one client; the first instrumentation stays');
    return client;
  }
  const settings: Settings = {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(OPENAI_TRACER_NAME),
    captureOption: typeof options.captureMessageContent === 'boolean' ? options.captureMessageContent : undefined,
    server: serverEndpointOf(target.baseURL),
  };
  const completions = target.chat?.completions;
  const wrapped = [
    wrap(completions, 'create', 'chat.completions.create', CHAT_COMPLETIONS, settings),
    wrap(completions, 'parse', 'chat.completions.parse', CHAT_COMPLETIONS, settings),
    wrap(target.responses, 'create', 'responses.create', RESPONSES, settings),
  ];
  if (!wrapped.some(Boolean)) warn('instrumentOpenAI: the client has none of chat.completions.create/parse, responses.create; nothing instrumented');
  if (Object.isExtensible(target)) Object.defineProperty(target, INSTRUMENTED, { value: true });
  return client;
}

function wrap(resource: Loose | undefined, name: string, label: string, api: ApiShape, settings: Settings): boolean {
  const original = resource?.[name];
  if (!resource || typeof original !== 'function') {
    warn(`instrumentOpenAI: client.${label} is not a function; not traced`);
    return false;
  }
  try {
    (resource as Record<string, unknown>)[name] = tracedMethod(original as Method, api, settings);
    return true;
  } catch (error) {
    // A frozen client: tracing must not be the reason the app fails to start.
    warn(`instrumentOpenAI: client.${label} cannot be replaced (${error instanceof Error ? error.message : String(error)}); not traced`);
    return false;
  }
}

function tracedMethod(original: Method, api: ApiShape, settings: Settings): Method {
  return function traced(this: unknown, body: unknown, requestOptions?: unknown): unknown {
    const active = context.active();
    if (active.getValue(INSIDE_TRACED_CALL)) return original.call(this, body, requestOptions);
    const request = asRecord(body) ?? {};
    const capture = captureMessageContent(settings.captureOption);
    let span: ChatSpan;
    try {
      span = new ChatSpan(settings.tracer, active, api.request(request), capture, settings.server);
    } catch (error) {
      diag.error('tracejudge: could not start an OpenAI chat span; call not traced', error);
      return original.call(this, body, requestOptions);
    }
    let call: unknown;
    try {
      call = context.with(span.context.setValue(INSIDE_TRACED_CALL, true), () => original.call(this, body, requestOptions));
    } catch (error) {
      // Validation errors the SDK throws synchronously (e.g. parse() with non-strict tools).
      span.fail(error);
      throw error;
    }
    return observeCall(call, {
      onValue: (value) => onValue(value, request.stream === true, span, api),
      onError: (error) => span.fail(error),
    });
  };
}

function onValue(value: unknown, streamed: boolean, span: ChatSpan, api: ApiShape): unknown {
  try {
    if (streamed && isStream(value)) {
      const accumulator = api.accumulator(span.capture);
      return observeStream(value, {
        onItem(item) {
          span.firstChunk();
          accumulator.add(item);
        },
        onEnd: () => span.end(accumulator.result()),
        onError: (error) => span.fail(error, accumulator.result()),
        onAbort: () => span.end(accumulator.result()),
      });
    }
    span.end(api.result(value));
  } catch (error) {
    diag.error('tracejudge: failed to record an OpenAI response', error);
    span.end(undefined);
  }
  return value;
}

