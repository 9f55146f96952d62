/**
 * The one value every check, evaluator and reviewer produces. Plain data:
 * only `src/results/` turns it into telemetry (span events, logs, metrics).
 */

export type EvaluationSource = 'deterministic' | 'judge' | 'human';

/** Extra machine-readable facts; `src/results` writes each as `tracejudge.<key>`. */
export type EvaluationDetails = Readonly<
  Record<string, string | number | boolean | readonly string[] | readonly number[]>
>;

export interface EvaluationResult {
  /** e.g. `commitment.price`, `faithfulness`. */
  readonly name: string;
  /** 0..1, 1 is best. Absent when the evaluation itself failed. */
  readonly score?: number;
  /** Low-cardinality label, e.g. `pass` / `fail`. */
  readonly label?: string;
  readonly explanation?: string;
  readonly source: EvaluationSource;
  readonly details?: EvaluationDetails;
  /** Set when the evaluation could not be done (the span still flows on). */
  readonly error?: { readonly type: string; readonly message: string };
}
