import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SPECIFIER = /^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+\.ts)'/gm;

/** Every relative import (type imports included) between our source files, as repo paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(join(ROOT, path), 'utf8');
        graph.set(path, [...text.matchAll(SPECIFIER)].map((match) => relative(ROOT, normalize(join(ROOT, dirname(path), match[1]!)))));
      }
    }
  };
  for (const top of ['src', 'processors', 'instrumentation']) walk(top);
  return graph;
}

/** Strongly connected components of more than one file (Tarjan): each is an import circle. */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>(), found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next), low.set(node, next), next++;
    stack.push(node), onStack.add(node);
    for (const dep of graph.get(node) ?? []) {
      if (!index.has(dep)) visit(dep), low.set(node, Math.min(low.get(node)!, low.get(dep)!));
      else if (onStack.has(dep)) low.set(node, Math.min(low.get(node)!, index.get(dep)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do (member = stack.pop()!), onStack.delete(member), component.push(member);
      while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the import graph', () => {
  const graph = importGraph();

  it('loads the openai package only when a judge calls (src/judge/openai-runtime.ts), never at start', () => {
    const valueImport = /^\s*import\s+(?!type\b)[^'"]*?from\s+'openai(?:\/[^']*)?'/m;
    const offending = [...graph.keys()].filter((file) => !file.startsWith('instrumentation/') && valueImport.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('has no circles (type imports included)', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(circles(graph)).toEqual([]);
  });

  it('flows one way in collector mode: receive and forward never import each other back, nor the service; src/otlp imports no front door', () => {
    const offending: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        if (file.startsWith('src/collector/forward/') && (dep.startsWith('src/collector/receive/') || dep === 'src/collector/service.ts')) offending.push(`${file} → ${dep}`);
        if (file.startsWith('src/collector/receive/') && dep === 'src/collector/service.ts') offending.push(`${file} → ${dep}`);
        if (file.startsWith('src/otlp/') && (dep.startsWith('src/collector/') || dep.startsWith('src/cli/'))) offending.push(`${file} → ${dep}`);
        if (file.startsWith('src/cli/check/') && dep.startsWith('src/collector/')) offending.push(`${file} → ${dep}`);
      }
    }
    expect(offending).toEqual([]);
  });
});

describe('framework packages stay optional', () => {
  const FRAMEWORKS = ['@openai/agents', '@ai-sdk/', 'ai', '@langchain/', 'langchain', '@arizeai/'];
  const PACKAGE_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^.'][^']*)'|import\(\s*'([^.'][^']*)'\s*\)/gm;

  it('no library file imports a framework package, not even for types (an app that uses none installs none)', () => {
    const offending: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          for (const match of readFileSync(join(ROOT, path), 'utf8').matchAll(PACKAGE_IMPORT)) {
            const specifier = match[1] ?? match[2]!;
            if (FRAMEWORKS.some((name) => (name.endsWith('/') ? specifier.startsWith(name) : specifier === name || specifier.startsWith(`${name}/`)))) offending.push(`${path} → ${specifier}`);
          }
        }
      }
    };
    for (const top of ['src', 'processors', 'instrumentation']) walk(top);
    expect(offending).toEqual([]);
  });

  it('declares the bridged frameworks as optional peer dependencies, and the test-only ones as dev dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const name of ['@openai/agents', '@ai-sdk/otel']) {
      expect(manifest.peerDependencies?.[name], name).toBeTypeOf('string');
      expect(manifest.peerDependenciesMeta?.[name], name).toEqual({ optional: true });
    }
    for (const name of ['@openai/agents', 'ai', '@ai-sdk/otel', '@ai-sdk/openai', '@langchain/core', '@langchain/openai', '@arizeai/openinference-instrumentation-langchain']) {
      expect(manifest.dependencies?.[name], name).toBeUndefined();
      expect(manifest.devDependencies?.[name], name).toBeTypeOf('string');
    }
  });
});
