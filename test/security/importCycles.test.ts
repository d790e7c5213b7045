import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importCycles, importGraph, type LayerRule, layerViolations } from '../support/importGraph.js';

/**
 * The shape of src/: no import cycle (type-only imports count, as they tie the files together just
 * the same), and the layers import downwards only: src/vscode → src/session → src/protocol, and
 * neither src/protocol nor src/session touches the VS Code API. The detector itself is checked on
 * small trees written for the purpose, so that a detector that sees nothing cannot pass.
 */

/**
 * The concerns of src/session in dependency order (ARCHITECTURE.md): a folder imports only from the
 * folders before it (and from the root files that sit below them all).
 */
const SESSION_ORDER = ['store', 'config', 'sync', 'signIn', 'revocation', 'refresh', 'cache', 'accounts', 'consumers'];

const LAYERS: LayerRule[] = [
  { folder: 'protocol', notFolders: ['session', 'vscode', 'helper', 'peers', 'ipc'], notPackages: ['vscode'] },
  { folder: 'session', notFolders: ['vscode', 'helper'], notPackages: ['vscode', 'vscode-languageclient'] },
  // Generic IPC under both the token helper and the window handoff; it knows neither.
  { folder: 'ipc', notFolders: ['protocol', 'session', 'vscode', 'helper', 'peers'], notPackages: ['vscode'] },
  { folder: 'helper', notFolders: ['vscode', 'peers'], notPackages: ['vscode'] },
  { folder: 'peers', notFolders: ['vscode', 'helper'], notPackages: ['vscode'] },
  ...SESSION_ORDER.map((folder, i) => ({
    folder: `session/${folder}`,
    notFolders: SESSION_ORDER.slice(i + 1).map((f) => `session/${f}`),
    notPackages: [],
  })),
];

describe('import graph of src/', () => {
  const graph = importGraph('src');

  it('is read whole: every relative import resolves and none is computed', () => {
    assert.deepEqual(graph.unresolved, []);
    const edges = [...graph.edges.values()].reduce((n, targets) => n + targets.size, 0);
    assert.ok(graph.edges.size > 50 && edges > graph.edges.size, `${graph.edges.size} files, ${edges} imports`);
  });

  it('has no import cycle, type-only imports included', () => {
    const cycles = importCycles(graph);
    const listed = cycles.map((c) => `  ${c.loop.join(' → ')}\n    (all ${c.files.length}: ${c.files.join(', ')})`);
    assert.equal(cycles.length, 0, `import cycles in src/:\n${listed.join('\n')}`);
  });

  it('keeps its layers: protocol and session import neither the layers above them nor vscode; session/ folders import only earlier ones', () => {
    const violations = layerViolations(graph, LAYERS);
    assert.deepEqual(violations, [], `imports across layers:\n  ${violations.join('\n  ')}`);
  });
});

describe('import graph: the detector', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'agent-auth-import-graph-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `files` under a fresh folder of `dir` and returns that folder. */
  const tree = (name: string, files: Record<string, string>): string => {
    const root = join(dir, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };

  it('finds cycles through every kind of import: import, export-from, folder index, import(), require', () => {
    const root = tree('kinds', {
      // a → b → sub/index → c → a: each link a different kind, so missing any one kind misses the cycle.
      'a.ts': `import { b } from './b.js';\nexport const a = b + 1;\n`,
      'b.ts': `export * from './sub';\nexport const b = 1;\n`,
      'sub/index.ts': `export const load = () => import('../c.js');\n`,
      'c.ts': `import a = require('./a.js');\nexport const c = a;\n`,
      // e → f → e through a plain require and a type-position import().
      'e.ts': `export const f = require('./f.js');\nexport type E = number;\n`,
      'f.ts': `export type F = import('./e.js').E;\n`,
      // Imports the first cycle without being part of it.
      'outside.ts': `import { a } from './a.js';\nimport { b } from './b';\nexport const o = a + b;\n`,
      'self.ts': `export * from './self.js';\n`,
    });
    const graph = importGraph(root);
    assert.deepEqual(graph.unresolved, []);
    assert.deepEqual(importCycles(graph), [
      { loop: ['a.ts', 'b.ts', 'sub/index.ts', 'c.ts', 'a.ts'], files: ['a.ts', 'b.ts', 'c.ts', 'sub/index.ts'] },
      { loop: ['e.ts', 'f.ts', 'e.ts'], files: ['e.ts', 'f.ts'] },
      { loop: ['self.ts', 'self.ts'], files: ['self.ts'] },
    ]);
  });

  it('finds a cycle made of type-only imports alone', () => {
    const root = tree('types', {
      'x.ts': `import type { Y } from './y.js';\nexport interface X { y?: Y }\n`,
      'y.ts': `import { type X } from './x.js';\nexport type Y = X[];\nexport type { X as Z } from './x.js';\n`,
      'z.ts': `import type { X } from './x.js';\nexport type Z = X;\n`,
    });
    assert.deepEqual(importCycles(importGraph(root)), [{ loop: ['x.ts', 'y.ts', 'x.ts'], files: ['x.ts', 'y.ts'] }]);
  });

  it('finds no cycle where there is none, and reports what it cannot follow', () => {
    const root = tree('acyclic', {
      'a.ts': `import { b } from './b.js';\nimport { readFileSync } from 'node:fs';\nexport const a = b;\n`,
      'b.ts': `import type { C } from './lib/index.js';\nexport const b: C = 1;\n`,
      'lib/index.ts': `export type C = number;\nexport const load = (m: string) => import(m);\n`,
      'gone.ts': `export * from './missing.js';\n`,
    });
    const graph = importGraph(root);
    assert.deepEqual(importCycles(graph), []);
    assert.deepEqual(graph.unresolved.sort(), ['gone.ts: ./missing.js', 'lib/index.ts: (computed)']);
  });

  it('finds imports across layers, type-only ones and the vscode package included', () => {
    const root = tree('layers', {
      'protocol/p.ts': `import type { S } from '../session/s.js';\nexport type P = S;\n`,
      'protocol/q.ts': `import type * as vscode from 'vscode';\nexport type Q = vscode.Uri;\n`,
      'session/s.ts': `import { type P } from '../protocol/p.js';\nexport type S = string;\nexport type T = P;\n`,
      'session/t.ts': `export const v = () => import('../vscode/v.js');\n`,
      'session/u.ts': `import vscode = require('vscode');\nexport const u = vscode;\n`,
      'vscode/v.ts': `import { s } from '../session/s.js';\nimport * as vscode from 'vscode';\nexport const v = [s, vscode];\n`,
    });
    assert.deepEqual(layerViolations(importGraph(root), LAYERS), [
      'protocol/p.ts imports session/s.ts',
      'protocol/q.ts imports vscode',
      'session/t.ts imports vscode/v.ts',
      'session/u.ts imports vscode',
    ]);
  });
});
