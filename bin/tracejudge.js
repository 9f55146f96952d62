#!/usr/bin/env node
// The `tracejudge` command. Plain JavaScript without syntax newer than Node 14,
// so that an old Node gets a clear message instead of a syntax error.
import { existsSync } from 'node:fs';

const version = process.versions.node;
const [major, minor] = version.split('.').map(Number);
// 22.13: node:sqlite (the embedded store) loads without a flag.
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`tracejudge needs Node >= 22.13, this is v${version}\n`);
  process.exit(2);
}

// In a source checkout the TypeScript is the truth: dist/ is rebuilt by every `npm install`
// (the prepare script) and goes stale between builds. An installed package ships dist/ only;
// Node also refuses to strip types under node_modules, so there dist/ is always used.
const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/src/cli/main.js', import.meta.url);
const canStripTypes = major > 22 || minor >= 18;
const fromSource = canStripTypes && !import.meta.url.includes('/node_modules/') && existsSync(source);

let entry;
if (fromSource) entry = source;
else if (existsSync(built)) entry = built;
else {
  process.stderr.write(
    existsSync(source)
      ? `tracejudge from source needs Node >= 22.18 (type stripping), this is v${version}; run \`npm run build\` or upgrade Node\n`
      : 'tracejudge: dist/ is missing; run `npm run build`\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
