// The esbuild options of the extension bundle, shared by scripts/build.ts and the size benchmark.
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
    plugins: [agentClientApart],
    minify: !watch,
    sourcemap: watch ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'info',
  };
}
