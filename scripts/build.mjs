// Bundles the extension with esbuild: minified CommonJS, `vscode` external. Agent language
// servers (vscode-languageclient, most of the code) go in their own file, required only when
// an agent is configured, so activation parses a third of it.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

/** Keeps languageServers.ts's `require('./agentClient.js')` a runtime require of dist/agentClient.js. */
const agentClientApart = {
  name: 'agent-client-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/agentClient\.js$/ }, (args) =>
      args.importer.endsWith('languageServers.ts') ? { path: './agentClient.js', external: true } : undefined,
    );
  },
};

const options = {
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

if (watch) await (await esbuild.context(options)).watch();
else await esbuild.build(options);
