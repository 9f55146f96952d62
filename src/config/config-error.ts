/** One thing wrong in a config: where (`conversations.maxOpen`) and what. */
export interface ConfigIssue {
  /** Dotted field path with array indexes, e.g. `checks.enabled[1]`; empty for the root. */
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown for any config that cannot be used: unreadable file, syntax error,
 * a field of the wrong type or range, an unknown key, an unset variable.
 * The message names every offending field and value, so it can be printed as is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  /** The file the config came from, when there is one. */
  readonly source?: string;

  constructor(issues: readonly ConfigIssue[], source?: string) {
    super(formatIssues(issues, source));
    this.issues = issues;
    if (source !== undefined) this.source = source;
  }
}

function formatIssues(issues: readonly ConfigIssue[], source: string | undefined): string {
  const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  const prefix = source ? `invalid config ${source}: ` : 'invalid config: ';
  return lines.length === 1 ? prefix + lines[0] : `${prefix}${lines.length} problems\n  ${lines.join('\n  ')}`;
}
