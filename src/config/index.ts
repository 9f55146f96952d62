export { ConfigError, type ConfigIssue } from './config-error.ts';
export { loadConfig, parseConfig, resolveConfig, type LoadOptions, type ParseOptions } from './load.ts';
export { TracejudgeConfigSchema, configSections, type TracejudgeConfig, type TracejudgeConfigInput } from './schema.ts';
export { defineSection, type ConfigSection } from './section.ts';
export { ConversationsConfigSchema, conversationsSection, type ConversationsConfig } from './conversations.ts';
export { ChecksConfigSchema, checksSection, type ChecksConfig } from './checks.ts';
export { booleanish, duration, fraction, nonEmptyString, nonNegativeInt, parseDurationMs, positiveInt } from './fields.ts';
export type { Environment } from './substitute.ts';
