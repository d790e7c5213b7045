import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ENV_VAR_NAME } from '../../src/protocol/envVars.js';
import { PROVIDER_ID } from '../../src/protocol/ids.js';

/**
 * One definition per rule: the patterns, the default env-var name and the minimum validity are
 * each declared once, exported from their module, and every other file that needs one imports it
 * from there (through the TypeScript compiler's view of src/: declarations, imports resolved to
 * the declaration they name, re-exports followed). package.json's schema and the clients in bin/
 * (which cannot import them) hold copies that must agree.
 */

const SRC = resolve('src');

interface Rule {
  /** The exported name. */
  name: string;
  /** Its module, relative to src/. */
  home: string;
  /** Files (relative to src/) known to use it: each must import it, and reach the declaration in `home`. */
  users: string[];
}

const RULES: Rule[] = [
  {
    name: 'MIN_VALIDITY_S',
    home: 'session/config/validity.ts',
    users: [
      'session/consumers/idToken.ts',
      'vscode/gitCredentials.ts',
      'vscode/tasks.ts',
      'vscode/terminals.ts',
      'vscode/commands.ts',
      'vscode/agentClient.ts',
    ],
  },
  { name: 'DEFAULT_MIN_VALIDITY_S', home: 'session/config/validity.ts', users: ['session/tokenService.ts'] },
  {
    name: 'atMostHalfLifetime',
    home: 'session/config/validity.ts',
    users: ['session/refresh/refreshPolicy.ts', 'session/consumers/idToken.ts', 'session/tokenService.ts'],
  },
  {
    name: 'PROVIDER_ID',
    home: 'protocol/ids.ts',
    users: ['session/config/providerSchema.ts', 'vscode/settingsEntries.ts'],
  },
  {
    name: 'ENV_VAR_NAME',
    home: 'protocol/envVars.ts',
    users: ['session/config/providerSchema.ts', 'helper/protocol.ts', 'vscode/settingsEntries.ts'],
  },
  { name: 'defaultEnvVar', home: 'protocol/envVars.ts', users: ['session/config/config.ts', 'helper/protocol.ts'] },
  {
    name: 'OWN_ENV_VAR',
    home: 'protocol/envVars.ts',
    users: ['session/config/providerSchema.ts', 'vscode/settingsEntries.ts'],
  },
];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/** src/ as the compiler sees it, with tsconfig.json's options. */
function srcProgram(): { files: ts.SourceFile[]; checker: ts.TypeChecker } {
  const config = ts.readConfigFile('tsconfig.json', (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, resolve('.'));
  const program = ts.createProgram(sources(SRC), { ...options, noEmit: true });
  const files = program.getSourceFiles().filter((f) => resolve(f.fileName).startsWith(`${SRC}/`));
  return { files, checker: program.getTypeChecker() };
}

const inSrc = (node: ts.Node) => relative(SRC, resolve(node.getSourceFile().fileName));

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

/** Where `name` is declared (a const, let, function or class of that name), as `file` relative to src/. */
function declarationsOf(files: ts.SourceFile[], name: string): { file: string; exported: boolean }[] {
  const found: { file: string; exported: boolean }[] = [];
  for (const f of files)
    walk(f, (n) => {
      if (
        (ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) &&
        n.name &&
        ts.isIdentifier(n.name) &&
        n.name.text === name
      ) {
        const statement = ts.isVariableDeclaration(n) ? n.parent.parent : n;
        const exported =
          ts.canHaveModifiers(statement) &&
          !!ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        found.push({ file: inSrc(n), exported });
      }
    });
  return found;
}

/** The declaration an identifier finally names (imports and re-exports followed), as its file relative to src/. */
function homeOf(checker: ts.TypeChecker, id: ts.Node): string | undefined {
  let symbol = checker.getSymbolAtLocation(id);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.declarations?.[0];
  return decl && inSrc(decl);
}

/** Every import of `name` in src/: the importing file and the file of the declaration it reaches. */
function importsOf(files: ts.SourceFile[], checker: ts.TypeChecker, name: string): { file: string; home?: string }[] {
  const found: { file: string; home?: string }[] = [];
  for (const f of files)
    walk(f, (n) => {
      if (ts.isImportSpecifier(n) && (n.propertyName ?? n.name).text === name)
        found.push({ file: inSrc(n), home: homeOf(checker, n.name) });
    });
  return found;
}

type Schema = { pattern?: string; properties?: Record<string, Schema>; items?: Schema };

describe('one definition per rule', function () {
  this.timeout(60_000);
  let files: ts.SourceFile[];
  let checker: ts.TypeChecker;
  before(() => ({ files, checker } = srcProgram()));

  const props: Record<string, Schema> = JSON.parse(readFileSync('package.json', 'utf8')).contributes.configuration
    .properties;
  const field = (setting: string, name: string) => props[setting].items!.properties![name];

  it('package.json: every id pattern is PROVIDER_ID, the envVar pattern is ENV_VAR_NAME', () => {
    for (const setting of ['agentAuth.providers', 'agentAuth.agents', 'agentAuth.mcpServers'])
      assert.equal(field(setting, 'id').pattern, PROVIDER_ID.source, setting);
    assert.equal(field('agentAuth.providers', 'envVar').pattern, ENV_VAR_NAME.source);
  });

  it('bin/agent-auth-token.js checks the variable name with a copy of ENV_VAR_NAME', () => {
    assert.ok(readFileSync('bin/agent-auth-token.js', 'utf8').includes(`/${ENV_VAR_NAME.source}/`));
  });

  for (const rule of RULES) {
    it(`${rule.name}: declared once, exported from ${rule.home}, and every import of it reaches that declaration`, () => {
      assert.deepEqual(declarationsOf(files, rule.name), [{ file: rule.home, exported: true }]);
      const imports = importsOf(files, checker, rule.name);
      assert.deepEqual(
        imports.filter((i) => i.home !== rule.home),
        [],
        `imports of ${rule.name} that reach another declaration`,
      );
      const importers = new Set(imports.map((i) => i.file));
      assert.deepEqual(
        rule.users.filter((u) => !importers.has(u)),
        [],
        `known users of ${rule.name} that do not import it`,
      );
    });
  }

  it('no copy under another name: no other regular expression holds the variable-name, provider-id or AGENT_AUTH_ rule, no other template builds a <ID>_TOKEN name', () => {
    const copies: string[] = [];
    const rules: [string, RegExp][] = [
      ['protocol/envVars.ts', /\[A-Za-z_\]\[A-Za-z0-9_\]/],
      ['protocol/envVars.ts', /\^AGENT_AUTH_|\|AGENT_AUTH_\\w/],
      ['protocol/ids.ts', /\[A-Za-z0-9\]\[A-Za-z0-9\._-\]\{0,63\}/],
    ];
    for (const f of files)
      walk(f, (n) => {
        const file = inSrc(n);
        // A pattern: a regular expression literal, or the string a RegExp is built from.
        const pattern = ts.isRegularExpressionLiteral(n)
          ? n.text
          : ts.isStringLiteralLike(n) && ts.isNewExpression(n.parent) && n.parent.expression.getText() === 'RegExp'
            ? n.text
            : undefined;
        if (pattern !== undefined)
          for (const [home, re] of rules) if (file !== home && re.test(pattern)) copies.push(`${file}: ${pattern}`);
        if (
          ts.isTemplateExpression(n) &&
          file !== 'protocol/envVars.ts' &&
          /_TOKEN$/.test(n.templateSpans.at(-1)!.literal.text)
        )
          copies.push(`${file}: ${n.getText()}`);
      });
    assert.deepEqual(copies, []);
  });

  it('no copy of the minimum validity: every minValiditySeconds handed over is a constant of session/config/validity.ts, and no other file halves a lifetime', () => {
    const copies: string[] = [];
    for (const f of files)
      walk(f, (n) => {
        const file = inSrc(n);
        if (ts.isPropertyAssignment(n) && n.name.getText() === 'minValiditySeconds') {
          const home = ts.isIdentifier(n.initializer) ? homeOf(checker, n.initializer) : undefined;
          if (home !== 'session/config/validity.ts') copies.push(`${file}: ${n.getText()}`);
        }
        if (
          file !== 'session/config/validity.ts' &&
          ts.isCallExpression(n) &&
          n.expression.getText() === 'Math.min' &&
          n.arguments.some(
            (a) =>
              ts.isBinaryExpression(a) &&
              a.operatorToken.kind === ts.SyntaxKind.SlashToken &&
              a.right.getText() === '2',
          )
        )
          copies.push(`${file}: ${n.getText()}`);
      });
    assert.deepEqual(copies, []);
  });
});
