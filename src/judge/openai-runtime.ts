import type { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAI } from 'openai';
import type { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error';
import type { zodResponseFormat } from 'openai/helpers/zod';

/** What the judge uses of the `openai` package at run time: the client, its error classes, the zod response format. */
export interface OpenAIRuntime {
  readonly OpenAI: typeof OpenAI;
  readonly APIError: typeof APIError;
  readonly APIConnectionError: typeof APIConnectionError;
  readonly APIConnectionTimeoutError: typeof APIConnectionTimeoutError;
  readonly APIUserAbortError: typeof APIUserAbortError;
  readonly LengthFinishReasonError: typeof LengthFinishReasonError;
  readonly ContentFilterFinishReasonError: typeof ContentFilterFinishReasonError;
  readonly zodResponseFormat: typeof zodResponseFormat;
}

let loading: Promise<OpenAIRuntime> | undefined;
let loaded: OpenAIRuntime | undefined;

/**
 * The `openai` package, loaded when a judge first calls: ~280 modules and ~200 ms that every
 * `tracejudge` command paid at start, judge or not (measured on `tracejudge check`). A user's own
 * client comes from the same package instance (the module cache), so its errors are these classes.
 */
export function loadOpenAI(): Promise<OpenAIRuntime> {
  loading ??= Promise.all([import('openai'), import('openai/core/error'), import('openai/helpers/zod')]).then(([main, errors, zod]) => {
    loaded = {
      OpenAI: main.OpenAI,
      APIError: main.APIError,
      APIConnectionError: main.APIConnectionError,
      APIConnectionTimeoutError: main.APIConnectionTimeoutError,
      APIUserAbortError: main.APIUserAbortError,
      LengthFinishReasonError: errors.LengthFinishReasonError,
      ContentFilterFinishReasonError: errors.ContentFilterFinishReasonError,
      zodResponseFormat: zod.zodResponseFormat,
    };
    return loaded;
  });
  return loading;
}

/** The package when loaded; before any judge call it is not, and then no error can be one of its classes. */
export function openAIRuntime(): OpenAIRuntime | undefined {
  return loaded;
}
