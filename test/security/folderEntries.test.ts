import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * Each folder's index.ts is its entry file: it says what the folder owns and exports what the rest of
 * src/ may use. Importers may still name the file a thing lives in (the bundle then loads only that
 * file), but only for things the entry file exports: a name another folder takes from a file that
 * index.ts does not export is a private part used from outside, and fails here. Dynamic `import()`
 * of a whole module (lazy loading) is not a named import and is not checked.
 */

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const name = (file: string) => relative(SRC, file).split(sep).join('/');

/** The folders with an entry file: src/session/<concern>/, src/ipc/, src/peers/, src/protocol/. */
function entryFolders(files: string[]): string[] {
  return files.filter((f) => f.endsWith(`${sep}index.ts`)).map((f) => dirname(f));
}

/** `{ from: the importing file, target: the imported file, names }` for each static import or re-export. */
function namedImports(file: ts.SourceFile): { target: string; names: string[] }[] {
  const out: { target: string; names: string[] }[] = [];
  const target = (spec: ts.Expression) => {
    if (!ts.isStringLiteral(spec) || !spec.text.startsWith('.')) return undefined;
    const base = resolve(dirname(file.fileName), spec.text).replace(/\.js$/, '');
    return [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c));
  };
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st)) {
      const t = target(st.moduleSpecifier);
      const clause = st.importClause;
      if (!t || !clause) continue;
      const names: string[] = [];
      if (clause.name) names.push('default');
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('* (the whole module)');
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
      out.push({ target: t, names });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const t = target(st.moduleSpecifier);
      if (!t) continue;
      const clause = st.exportClause;
      const names =
        clause && ts.isNamedExports(clause)
          ? clause.elements.map((el) => (el.propertyName ?? el.name).text)
          : ['* (the whole module)'];
      out.push({ target: t, names });
    }
  }
  return out;
}

describe('folder entry files (index.ts)', () => {
  const files = sourceFiles(SRC);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const folders = entryFolders(files);

  const exportsOf = (index: string): Set<string> => {
    const sf = program.getSourceFile(index);
    const sym = sf && checker.getSymbolAtLocation(sf);
    return new Set(sym ? checker.getExportsOfModule(sym).map((s) => s.name) : []);
  };

  it('there are entry files, and each says what its folder owns', () => {
    assert.ok(folders.length >= 12, `entry files: ${folders.map(name).join(', ')}`);
    for (const f of folders) {
      const text = program.getSourceFile(join(f, 'index.ts'))!.text;
      assert.match(
        text,
        /^\/\*\*[\s\S]{80,}?\*\//,
        `${name(f)}/index.ts opens with a comment saying what the folder owns`,
      );
      assert.ok(exportsOf(join(f, 'index.ts')).size > 0, `${name(f)}/index.ts exports something`);
    }
  });

  it('what another folder takes from a file of a folder, that folder exports from its entry file', () => {
    const exported = new Map(folders.map((f) => [f, exportsOf(join(f, 'index.ts'))]));
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const sf = program.getSourceFile(file)!;
      for (const { target, names } of namedImports(sf)) {
        const folder = folders.find((f) => target.startsWith(f + sep) && !file.startsWith(f + sep));
        if (!folder || target === join(folder, 'index.ts')) continue;
        for (const n of names) {
          checked++;
          if (!exported.get(folder)!.has(n))
            problems.push(
              `${name(file)} takes ${n} from ${name(target)}, which ${name(folder)}/index.ts does not export`,
            );
        }
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    // The check read the imports: src/vscode alone takes well over a hundred names from session/ and protocol/.
    assert.ok(checked > 150, `${checked} names checked`);
  });
});
