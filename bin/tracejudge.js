#!/usr/bin/env node
// The `tracejudge` command. Plain JavaScript without syntax newer than Node 14,
// so that an old Node gets a clear message instead of a syntax error.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(`tracejudge needs Node >= 22, this is v${process.versions.node}\n`);
  process.exit(1);
}

const built = new URL('../dist/src/cli/main.js', import.meta.url);
let entry = built;
if (!existsSync(built)) {
  // Running from a source checkout: Node strips the TypeScript types itself (unflagged since 22.18).
  if (major === 22 && minor < 18) {
    process.stderr.write(
      `tracejudge from source needs Node >= 22.18 (type stripping), this is v${process.versions.node}; run \`npm run build\` or upgrade Node\n`,
    );
    process.exit(1);
  }
  entry = new URL('../src/cli/main.ts', import.meta.url);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
