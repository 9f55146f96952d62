import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Conversation, ConversationOptions } from '../../instrumentation/index.ts';
import type { DatasetRow, ExpectedOutcome } from './dataset/index.ts';

/** What an agent run may report besides its reply. */
export interface AgentOutput {
  readonly reply: string;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments?: Record<string, unknown> }[];
  readonly outcome?: ExpectedOutcome;
  /** e.g. `{ model: 'gpt-4.1-mini', prompt: 'support-v3' }`: stored as the experiment's agent info. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface AgentContext {
  readonly row: DatasetRow;
  readonly repetition: number;
  /** Aborted on the per-row timeout or an interrupt: stop work. */
  readonly signal: AbortSignal;
  /** The conversation id the runner evaluates this run under. */
  readonly conversationId: string;
  /** `startConversation` with this run's id and the row's tags as cohort: use it so the run is evaluated. */
  startConversation(options?: Omit<ConversationOptions, 'id'>): Conversation;
}

/** The module `tracejudge eval --agent` loads exports this as `agent` (or as its default export). */
export type OfflineAgent = (input: string | readonly string[], context: AgentContext) => Promise<string | AgentOutput>;

export class AgentModuleError extends Error {
  override readonly name = 'AgentModuleError';
}

export async function loadAgent(modulePath: string): Promise<OfflineAgent> {
  const url = pathToFileURL(resolve(modulePath)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new AgentModuleError(`--agent ${modulePath}: cannot load module (${(error as Error).message})`);
  }
  const agent = loaded.agent ?? loaded.default;
  if (typeof agent !== 'function') {
    throw new AgentModuleError(`--agent ${modulePath}: expected an exported function "agent" (input, context) => output, got ${typeof agent}`);
  }
  return agent as OfflineAgent;
}

/** A reply string or an AgentOutput; anything else is a run error naming what came back. */
export function normalizeOutput(value: unknown): AgentOutput {
  if (typeof value === 'string') return { reply: value };
  if (value !== null && typeof value === 'object' && typeof (value as AgentOutput).reply === 'string') return value as AgentOutput;
  const shown = value === null ? 'null' : typeof value === 'object' ? `an object without a string "reply"` : typeof value;
  throw new AgentModuleError(`agent returned ${shown}; expected a string or { reply: string, … }`);
}
