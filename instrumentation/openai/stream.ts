import { diag } from '@opentelemetry/api';

export interface StreamObserver {
  onItem(item: unknown): void;
  /** Consumed to the end. */
  onEnd(): void;
  onError(error: unknown): void;
  /** The consumer stopped early (`break`, `controller.abort()`, its AbortSignal). */
  onAbort(): void;
}

/** openai's `Stream`: an async iterable with the AbortController of its request. */
interface StreamLike extends AsyncIterable<unknown> {
  controller?: AbortController;
}

type StreamConstructor = new (iterator: () => AsyncIterator<unknown>, controller: AbortController) => StreamLike;

export function isStream(value: unknown): value is StreamLike {
  return typeof (value as StreamLike | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Returns a stream of the same class, over the same request and controller,
 * that reports each item and how iteration ended. A new `Stream` (rather than
 * patching the instance's iterator) keeps `tee()` and `toReadableStream()`
 * observed too, since both read through the constructor's iterator.
 */
export function observeStream<S extends StreamLike>(stream: S, observer: StreamObserver): S {
  const source = stream[Symbol.asyncIterator].bind(stream);
  const controller = stream.controller;
  let settled = false;
  const settle = (report: () => void): void => {
    if (settled) return;
    settled = true;
    controller?.signal.removeEventListener('abort', onAbortSignal);
    try {
      report();
    } catch (error) {
      diag.error('tracejudge: failed to record the end of an OpenAI stream', error);
    }
  };
  let iterating = false;
  // A stream never iterated has only this signal. While iterating, the SDK also aborts
  // on its way out of an error; the error reaches our catch a few microtasks later,
  // so the abort only counts if nothing else has settled by the next macrotask.
  const onAbortSignal = (): void => {
    if (iterating) setImmediate(() => settle(() => observer.onAbort()));
    else settle(() => observer.onAbort());
  };
  controller?.signal.addEventListener('abort', onAbortSignal, { once: true });

  async function* observed(): AsyncGenerator<unknown, void, undefined> {
    let completed = false;
    iterating = true;
    try {
      for await (const item of { [Symbol.asyncIterator]: source }) {
        if (!settled) {
          try {
            observer.onItem(item);
          } catch (error) {
            diag.error('tracejudge: failed to record an OpenAI stream item', error);
          }
        }
        yield item;
      }
      // The SDK ends an aborted iteration without an error: that is not a complete stream.
      completed = !controller?.signal.aborted;
    } catch (error) {
      settle(() => observer.onError(error));
      throw error;
    } finally {
      settle(completed ? () => observer.onEnd() : () => observer.onAbort());
    }
  }

  const Constructor = stream.constructor as StreamConstructor | undefined;
  if (controller && typeof Constructor === 'function') {
    try {
      return new Constructor(() => observed(), controller) as S;
    } catch (error) {
      diag.debug('tracejudge: could not rebuild the stream; observing it in place', error);
    }
  }
  // Same technique the SDK uses to normalize chat chunks: replace the instance's iterator.
  (stream as StreamLike)[Symbol.asyncIterator] = () => observed();
  return stream;
}
