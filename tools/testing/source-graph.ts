/**
 * Test support: the repository's TypeScript sources as an import graph, read from the source tree
 * (tests run from dist/, so paths are resolved back to the repository). Architecture tests use it
 * to hold the layering rules that no compiler checks: no import cycles, shipped code never imports
 * test support, one module layer owns the Kafka client.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file compiles to dist/tools/testing/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const SOURCE_ROOTS = ['processor', 'tools'];

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Source text with comments removed, so an import or call named in a comment does not count. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every module specifier a source imports or re-exports (static and dynamic), in order. */
export function importSpecifiers(text: string): string[] {
  return [...stripComments(text).matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!);
}

/** A test file, or a module of a `testing/` folder: never part of what ships. */
export function isTestSupport(path: string): boolean {
  return /\.test\.ts$/.test(path) || /(^|\/)testing\//.test(path);
}

export interface SourceModule {
  /** Repository-relative path, e.g. `processor/kafka/task.ts`. */
  path: string;
  text: string;
  /** Repository-relative paths of the project modules it imports. */
  localImports: string[];
  /** Package specifiers it imports (`kafkajs`, `node:fs`, …). */
  packages: string[];
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
}

/** `./x.js` from `tools/a/b.ts` -> `tools/a/x.ts`. */
export function resolveLocal(fromPath: string, specifier: string): string {
  return relative(REPO_ROOT, resolve(REPO_ROOT, dirname(fromPath), specifier)).replace(/\.js$/, '.ts');
}

export function readSourceGraph(root = REPO_ROOT): Map<string, SourceModule> {
  const files: string[] = [];
  for (const top of SOURCE_ROOTS) if (existsSync(join(root, top))) walk(join(root, top), files);
  const graph = new Map<string, SourceModule>();
  for (const file of files.sort()) {
    const path = relative(root, file);
    const text = readFileSync(file, 'utf8');
    const specifiers = importSpecifiers(text);
    graph.set(path, {
      path,
      text,
      localImports: specifiers.filter((s) => s.startsWith('.')).map((s) => resolveLocal(path, s)),
      packages: specifiers.filter((s) => !s.startsWith('.')),
    });
  }
  return graph;
}

/**
 * The import cycles among the given modules (Tarjan's strongly connected components of size > 1,
 * or a module importing itself), each as its member paths sorted; type-only imports count too,
 * because a cycle of types is still two modules that cannot be understood apart.
 */
export function importCycles(graph: ReadonlyMap<string, Pick<SourceModule, 'localImports'>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node)?.localImports ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const members: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      members.push(member);
      if (member === node) break;
    }
    const selfImport = graph.get(node)?.localImports.includes(node) ?? false;
    if (members.length > 1 || selfImport) cycles.push(members.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
