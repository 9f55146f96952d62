import { diag } from '@opentelemetry/api';

/**
 * How a traced call learns its outcome without changing what the caller gets.
 * `onValue` returns what the caller receives: the value itself, or a traced
 * stream in place of the SDK's.
 */
export interface CallObserver {
  onValue(value: unknown): unknown;
  onError(error: unknown): void;
}

/**
 * The parts of openai's `APIPromise` we rely on. `_thenUnwrap` is the SDK's own
 * way to derive an APIPromise (its resources and helpers use it, and check
 * `instanceof APIPromise`), so deriving through it keeps `.withResponse()`,
 * `.asResponse()`, laziness and the SDK's helpers (`responses.parse`,
 * `responses.stream`) working on the traced promise.
 */
interface APIPromiseLike {
  _thenUnwrap(transform: (value: unknown) => unknown): APIPromiseLike;
  asResponse?: () => Promise<unknown>;
  /** Private in the SDK: every `then`/`catch`/`finally` goes through it. */
  parse?: () => Promise<unknown>;
}

function isAPIPromise(value: unknown): value is APIPromiseLike {
  return typeof (value as APIPromiseLike | null)?._thenUnwrap === 'function';
}

export function observeCall<T>(call: T, observer: CallObserver): T {
  if (!isAPIPromise(call)) {
    // A custom transport or another SDK shape: a plain promise keeps `await` working.
    return Promise.resolve(call).then(
      (value) => observer.onValue(value),
      (error: unknown) => {
        observer.onError(error);
        throw error;
      },
    ) as T;
  }
  // HTTP errors (after the SDK's retries), connection errors and aborts reject the
  // response promise; watching it ends the span even if the caller never awaits.
  call.asResponse?.().then(undefined, (error: unknown) => observer.onError(error));
  const traced = call._thenUnwrap((value) => observer.onValue(value));
  watchParseFailures(traced, observer);
  return traced as T;
}

/**
 * A response that arrived but cannot be parsed (malformed JSON, a structured
 * output that fails its schema in `.parse()`) rejects only the parsed promise,
 * which the SDK builds lazily in its private `parse()`. Wrapping it on this one
 * instance is the only way to see that rejection without parsing eagerly — which
 * would consume the body that derived promises and `.asResponse()` still need.
 */
function watchParseFailures(traced: APIPromiseLike, observer: CallObserver): void {
  const parse = traced.parse;
  if (typeof parse !== 'function') {
    diag.debug('tracejudge: APIPromise has no parse(); parse failures will not end their span');
    return;
  }
  let watched: Promise<unknown> | undefined;
  traced.parse = function parseWatched(this: unknown): Promise<unknown> {
    const parsed = parse.call(this);
    if (parsed !== watched) {
      watched = parsed;
      parsed.then(undefined, (error: unknown) => observer.onError(error));
    }
    return parsed;
  };
}
