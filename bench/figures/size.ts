import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildOptions } from '../../scripts/buildOptions.js';
import { repoRoot } from '../../test/e2e/paths.js';
import { type FigureResult, row, type Row, skippedRow } from '../report.js';
import { githubAuthenticationDir } from '../support/peers.js';

const KB = 1024;
const VSIX_BUDGET_KB = 300;

export interface BundleInput {
  /** An npm package, or a folder of our sources. */
  name: string;
  kb: number;
}

/**
 * Figure 2. The bundle and the VSIX `npm run package` produced, next to github-authentication's
 * bundled dist/extension.js in code-server (for the VSIX: that bundle deflated, as a VSIX is a
 * zip). dist/extension.js is what activation loads; dist/agentClient.js (the language client)
 * loads only with an agent configured. The top bundled inputs of extension.js come from an esbuild
 * metafile of the same build, so a dependency that should not be there shows up by name.
 */
export async function sizeFigure(vsix: string): Promise<FigureResult> {
  const dist = statSync(join(repoRoot, 'dist', 'extension.js')).size;
  const agentClient = statSync(join(repoRoot, 'dist', 'agentClient.js')).size;
  const peerFile = join(githubAuthenticationDir, 'dist', 'extension.js');
  const peer = existsSync(peerFile) ? readFileSync(peerFile) : undefined;
  const rows: Row[] = [];
  const distLabel = '2a dist/extension.js, KB (vs github-authentication dist/extension.js)';
  rows.push(
    peer
      ? row({ figure: distLabel, ours: dist / KB, peer: peer.length / KB, runs: 1 })
      : skippedRow(distLabel, 'code-server not installed'),
  );
  rows.push(
    row({
      figure: `2b VSIX, KB (vs github-authentication bundle deflated)`,
      ours: statSync(vsix).size / KB,
      peer: peer ? deflateRawSync(peer).length / KB : null,
      goal: `< ${VSIX_BUDGET_KB} KB`,
      check: (ours) => ours < VSIX_BUDGET_KB,
      runs: 1,
    }),
  );
  rows.push(
    row({
      figure: '2c dist/agentClient.js, loaded only with agents configured, KB',
      ours: agentClient / KB,
      peer: null,
      runs: 1,
    }),
  );
  const { inputs, builtBytes } = await bundledInputs();
  return {
    rows,
    invariants: [],
    details: {
      distBytes: dist,
      agentClientBytes: agentClient,
      vsixBytes: statSync(vsix).size,
      peerDistBytes: peer?.length,
      topBundledInputs: inputs.slice(0, 12),
      // Same options as scripts/build.ts; a mismatch means dist/ is stale.
      metafileBuildMatchesDist: builtBytes === dist,
    },
  };
}

/** Rebuilds in memory with scripts/build.ts's options plus a metafile; bytes per package or source folder of extension.js. */
async function bundledInputs(): Promise<{ inputs: BundleInput[]; builtBytes: number }> {
  const result = await build({
    ...buildOptions(),
    absWorkingDir: repoRoot,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [, output] = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('dist/extension.js'))!;
  const byName = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = groupOf(path);
    byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
  }
  const inputs = [...byName]
    .map(([name, bytes]) => ({ name, kb: Math.round((bytes / KB) * 10) / 10 }))
    .sort((a, b) => b.kb - a.kb);
  return { inputs, builtBytes: result.outputFiles.find((f) => f.path.endsWith('extension.js'))!.contents.byteLength };
}

/** node_modules/a/…, node_modules/@s/b/… → the package (the innermost, for nested copies); src/x/… → src/x. */
function groupOf(path: string): string {
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1];
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : path;
}
