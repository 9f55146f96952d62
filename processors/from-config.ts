import { builtinChecks, createPriceCheck, createRefundCheck, createTimeCheck, groundingIndexesWith } from '../src/checks/index.ts';
import type { Check, CommitmentCheckOptions } from '../src/checks/index.ts';
import { ConfigError } from '../src/config/index.ts';
import type { TracejudgeConfig } from '../src/config/index.ts';
import type { EvaluationPipelineOptions } from './evaluation-pipeline.ts';
import { OutputMasking } from './output-masking.ts';

/** Built-in checks that take options, by name; others are used as registered. */
const CONFIGURABLE: Readonly<Record<string, (options: CommitmentCheckOptions) => Check>> = {
  'commitment.price': createPriceCheck,
  'commitment.time': createTimeCheck,
  'commitment.refund': createRefundCheck,
};

/** The built-in checks (registry order), built with `options`. */
export function builtinChecksWith(options: CommitmentCheckOptions): readonly Check[] {
  // One index cache for the three checks: each conversation's sources are read once, with one vocabulary.
  const shared = options.groundingIndexFor === undefined && options.sourceKeys !== undefined ? { ...options, groundingIndexFor: groundingIndexesWith(options.sourceKeys) } : options;
  return builtinChecks.map((check) => CONFIGURABLE[check.name]?.(shared) ?? check);
}

/** Whether the config adds any key word (an empty `sourceKeys` keeps the built-in vocabulary and its shared cache). */
function hasSourceKeys(keys: TracejudgeConfig['checks']['sourceKeys']): boolean {
  return keys !== undefined && Object.values(keys).some((words) => words !== undefined && words.length > 0);
}

/**
 * The checks named in `checks.enabled` (all of `available` when absent). An
 * unknown name is a config error naming its position, not a silent no-op.
 */
export function selectChecks(enabled: readonly string[] | undefined, available: readonly Check[] = builtinChecks): readonly Check[] {
  if (enabled === undefined) return available;
  const byName = new Map(available.map((check) => [check.name, check]));
  const issues = enabled.flatMap((name, index) =>
    byName.has(name)
      ? []
      : [{ path: `checks.enabled[${index}]`, message: `unknown check "${name}"; known checks: ${[...byName.keys()].join(', ')}` }],
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return [...new Set(enabled)].map((name) => byName.get(name) as Check);
}

/**
 * The pipeline options a validated config asks for (library and CLI alike).
 * `available` defaults to the built-in checks with `checks.maxScannedChars`.
 */
export function pipelineOptionsFromConfig(config: TracejudgeConfig, available?: readonly Check[]): EvaluationPipelineOptions {
  const { conversations, checks, join, events } = config;
  return {
    content: { maxSpans: join.maxSpans, maxChars: join.maxChars, ttlMs: join.recordTtl },
    spanEvents: events.spans,
    failedSpanStatus: events.failedSpanStatus,
    masking: OutputMasking.forConfig(config),
    checks: selectChecks(checks.enabled, available ?? builtinChecksWith({ maxScannedChars: checks.maxScannedChars, maxLineItems: checks.maxLineItems, ...(hasSourceKeys(checks.sourceKeys) && { sourceKeys: checks.sourceKeys }) })),
    conversations: {
      maxOpen: conversations.maxOpen,
      idleTimeoutMs: conversations.idleTimeout,
      maxSourcesPerConversation: conversations.maxSourcesPerConversation,
      maxSourceChars: conversations.maxSourceChars,
      maxTotalSourceChars: conversations.maxTotalSourceChars,
      // Traces outnumber live conversations only briefly (one trace per turn, turns end quickly).
      maxTraces: conversations.maxOpen * 2,
    },
  };
}
