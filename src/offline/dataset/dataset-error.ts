/** A dataset row problem, by line (1-based) and field path. */
export interface RowProblem {
  readonly line: number;
  readonly message: string;
}

export class DatasetError extends Error {
  readonly problems: readonly RowProblem[];

  constructor(message: string, problems: readonly RowProblem[] = []) {
    const shown = problems.slice(0, 20).map((problem) => `  line ${problem.line}: ${problem.message}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    super([message, ...shown, ...more].join('\n'));
    this.name = 'DatasetError';
    this.problems = problems;
  }
}
