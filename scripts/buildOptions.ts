// The esbuild options of the extension bundle, shared by scripts/build.ts and the size benchmark.
import { resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/** Keeps languageServers.ts's `require('./agentClient.js')` a runtime require of dist/agentClient.js. */
const agentClientApart: Plugin = {
  name: 'agent-client-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/agentClient\.js$/ }, (args) =>
      args.importer.endsWith('languageServers.ts') ? { path: './agentClient.js', external: true } : undefined,
    );
  },
};

/**
 * Packages whose module code runs on first call rather than at load: each import of them gets a
 * stand-in whose functions require the real package when first called (esbuild's CommonJS
 * wrapper runs a package's code on its first require). Only for packages used through calls
 * alone: proper-lockfile's load builds graceful-fs's patched fs and signal-exit's handlers, and a
 * window needs a lock only to refresh or sign in, not to activate.
 */
const LAZY_PACKAGES: Record<string, string[]> = {
  'proper-lockfile': ['lock', 'unlock', 'check', 'lockSync', 'unlockSync', 'checkSync'],
};

const lazyPackages: Plugin = {
  name: 'lazy-packages',
  setup(build) {
    const names = Object.keys(LAZY_PACKAGES).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      args.namespace === 'lazy-package' ? undefined : { path: args.path, namespace: 'lazy-package' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      resolveDir: resolve(__dirname, '..'),
      loader: 'js',
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        `export default { ${LAZY_PACKAGES[args.path].map((f) => `${f}: (...a) => load().${f}(...a)`).join(', ')} };`,
      ].join('\n'),
    }));
  },
};

/**
 * Minified CommonJS, `vscode` external. The glue imports it as `import vscode = require('vscode')`:
 * a namespace import would make esbuild copy every property of the API object at load time. Agent language servers (vscode-languageclient, most of
 * the code) go in their own file, required only when an agent is configured, so activation
 * parses a fraction of it.
 */
export function buildOptions(watch = false): BuildOptions {
  return {
    entryPoints: { extension: 'src/vscode/extension.ts', agentClient: 'src/vscode/agentClient.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    plugins: [agentClientApart, lazyPackages],
    minify: !watch,
    sourcemap: watch ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'info',
  };
}
