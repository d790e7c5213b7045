/**
 * The import graph of a TypeScript source tree, read with the compiler's own parser, and the checks
 * test/security/importCycles.test.ts makes on it: import cycles (Tarjan's strongly connected
 * components) and imports that cross a layer boundary.
 *
 * Every module reference counts, type-only ones included: `import` and `import type`, `export … from`,
 * `import x = require(…)`, `require(…)`, `import(…)` and the type `import('…').T`. Relative
 * specifiers resolve as NodeNext resolves them for this project: `./x.js` is x.ts (or x.d.ts, which
 * is no part of the graph, like any file outside the tree), a folder is its index.ts. A relative specifier that resolves to nothing, or a computed `import()`/`require()`, is
 * reported as unresolved rather than skipped, so that no edge goes missing unnoticed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** The folder the graph was read from (absolute). */
  root: string;
  /** Each source file (absolute path) and the source files it refers to. */
  edges: Map<string, Set<string>>;
  /** Each source file and the package specifiers it refers to (`vscode`, `node:fs`, `zod/mini`). */
  packages: Map<string, Set<string>>;
  /** `file: specifier` for each reference the graph could not follow. */
  unresolved: string[];
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module references of one file, in source order; `undefined` for a computed one. */
export function moduleReferences(fileName: string, text: string): (string | undefined)[] {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  const found: (string | undefined)[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) found.push(literal(node.moduleSpecifier));
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) found.push(literal(node.moduleReference.expression));
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) found.push(literal(node.arguments[0]));
    } else if (ts.isImportTypeNode(node)) {
      found.push(ts.isLiteralTypeNode(node.argument) ? literal(node.argument.literal) : undefined);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The file a relative specifier names: `./x.js` → x.ts, `./dir` → dir/index.ts; `undefined` if none. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  const stem = target.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = [
    ...['.ts', '.tsx', '.mts', '.cts', '.d.ts'].map((ext) => stem + ext),
    target,
    ...['index.ts', 'index.tsx'].map((index) => join(target, index)),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The import graph of the source files under `folder` (declaration files are not part of it). */
export function importGraph(folder: string): ImportGraph {
  const root = resolve(folder);
  const files = sourceFiles(root);
  const inTree = new Set(files);
  const graph: ImportGraph = { root, edges: new Map(), packages: new Map(), unresolved: [] };
  for (const file of files) {
    const edges = new Set<string>();
    const packages = new Set<string>();
    for (const specifier of moduleReferences(file, readFileSync(file, 'utf8'))) {
      const where = `${shortName(graph, file)}: ${specifier ?? '(computed)'}`;
      if (specifier === undefined) graph.unresolved.push(where);
      else if (!specifier.startsWith('.')) packages.add(specifier);
      else {
        const target = resolveRelative(file, specifier);
        if (target === undefined) graph.unresolved.push(where);
        else if (inTree.has(target)) edges.add(target);
      }
    }
    graph.edges.set(file, edges);
    graph.packages.set(file, packages);
  }
  return graph;
}

/** The graph's path for a file: relative to its root, with `/`. */
export const shortName = (graph: ImportGraph, file: string) => relative(graph.root, file).split(sep).join('/');

/**
 * The import cycles: each strongly connected component of more than one file (or one file that
 * imports itself), as one closed path through it (`a.ts → b.ts → a.ts`) followed by every file of
 * the component, sorted. Empty when the graph has no cycle.
 */
export function importCycles(graph: ImportGraph): { loop: string[]; files: string[] }[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.edges.get(v)?.has(v)) components.push(component);
  };
  for (const file of [...graph.edges.keys()].sort()) if (!index.has(file)) strongConnect(file);
  return components
    .map((component) => {
      const files = component.map((f) => shortName(graph, f)).sort();
      return { loop: closedPath(graph, new Set(component)).map((f) => shortName(graph, f)), files };
    })
    .sort((a, b) => a.files[0].localeCompare(b.files[0]));
}

/** A shortest path from the component's first file (by name) back to itself, through the component. */
function closedPath(graph: ImportGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const w of graph.edges.get(queue[i]) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const back = [start];
        for (let at: string | undefined = queue[i]; at !== start && at !== undefined; at = previous.get(at))
          back.unshift(at);
        return [start, ...back];
      }
      if (!previous.has(w)) {
        previous.set(w, queue[i]);
        queue.push(w);
      }
    }
  }
  return [start];
}

export interface LayerRule {
  /** A folder under the graph's root (`protocol`). */
  folder: string;
  /** Folders under the root its files must not import, type-only imports included. */
  notFolders: string[];
  /** Packages its files must not import (a package's subpaths included). */
  notPackages: string[];
}

/** `a.ts imports b.ts` for each import a rule forbids; empty when every rule holds. */
export function layerViolations(graph: ImportGraph, rules: LayerRule[]): string[] {
  const inFolder = (name: string, folder: string) => name.startsWith(`${folder}/`);
  const violations: string[] = [];
  for (const [file, targets] of graph.edges) {
    const name = shortName(graph, file);
    for (const rule of rules.filter((r) => inFolder(name, r.folder))) {
      for (const target of targets) {
        const targetName = shortName(graph, target);
        if (rule.notFolders.some((f) => inFolder(targetName, f))) violations.push(`${name} imports ${targetName}`);
      }
      for (const pkg of graph.packages.get(file) ?? []) {
        if (rule.notPackages.some((p) => pkg === p || pkg.startsWith(`${p}/`)))
          violations.push(`${name} imports ${pkg}`);
      }
    }
  }
  return violations.sort();
}
