/**
 * A judge set up with something it cannot use: an unknown rubric name, a
 * custom rubric with a bad scale, a missing API key. Thrown once, at
 * construction; each problem names the config field (`judge.select[1].rubrics[0]`).
 */
export class JudgeConfigError extends Error {
  override readonly name = 'JudgeConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? `invalid judge config: ${problems[0]}` : `invalid judge config: ${problems.length} problems\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}
