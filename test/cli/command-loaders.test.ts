import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { commandLoaders, commandsFor, subcommandOf } from '../../src/cli/commands/loaders.ts';

describe('a run loads only the subcommand it names', () => {
  it('every command has a loader, in the same order, loading that very command', async () => {
    expect(Object.keys(commandLoaders)).toEqual(commands.map((command) => command.name));
    for (const command of commands) expect(await commandLoaders[command.name]!()).toBe(command);
  });

  it('finds the subcommand past global options and their values', () => {
    expect(subcommandOf(['check', '--in', 'a.jsonl'])).toBe('check');
    expect(subcommandOf(['--log-level', 'debug', 'collect'])).toBe('collect');
    expect(subcommandOf(['--log-level', 'check'])).toBeUndefined(); // "check" is the level here, not a command
  });

  it('help, version, an unknown or a missing command need every command (commander lists them or says what is wrong)', async () => {
    for (const args of [[], ['--help'], ['help', 'check'], ['-V'], ['bogus']]) expect(subcommandOf(args)).toBeUndefined();
    expect((await commandsFor(['bogus'])).map((command) => command.name)).toEqual(commands.map((command) => command.name));
    expect((await commandsFor(['drift', '--window', '7d'])).map((command) => command.name)).toEqual(['drift']);
  });
});
