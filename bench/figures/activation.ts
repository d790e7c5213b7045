import { existsSync } from 'node:fs';
import { coldActivate, type ColdSample } from '../activation/cold.js';
import { activationInHost } from '../activation/inHost.js';
import { codeServerEntry, repoRoot } from '../../test/e2e/paths.js';
import { type FigureResult, row, type Row, skippedRow } from '../report.js';
import { median, round } from '../stats.js';
import { ACTIVATION_SETTINGS, githubAuthenticationDir } from '../support/peers.js';

const NO_SLOWER = {
  goal: '≤ peer',
  check: (ours: number, peer: number | null) => (peer === null ? null : ours <= peer),
};

/**
 * Figure 1. In code-server's Node extension host: the host's own marks around loading and
 * activating each extension (what "Developer: Show Running Extensions" reports), Agent Auth at
 * startup, github-authentication on demand. In plain Node: a cold `require` + `activate` of each
 * bundle in a fresh process under the bench's fake `vscode` module.
 */
export async function activationFigure(o: {
  vsix: string;
  hostSamples: number;
  coldSamples: number;
}): Promise<FigureResult> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const hostLabel = '1a Activation in code-server 4.100.3 ext host, ms (vs github-authentication)';
  if (!existsSync(codeServerEntry)) {
    rows.push(skippedRow(hostLabel, 'code-server not installed; run scripts/setup-e2e.sh'));
  } else {
    try {
      const samples = await activationInHost(o.vsix, o.hostSamples);
      const ours = median(samples.map((s) => s.ours.totalMs));
      const peer = median(samples.map((s) => s.peer.totalMs));
      rows.push(row({ figure: hostLabel, ours, peer, ...NO_SLOWER, runs: samples.length }));
      details.host = {
        method:
          'code/extHost/{will,did}LoadExtensionCode + {will,did}ActivateExtension marks (Date.now() ms) read by a probe extension in the same host',
        oursLoadMs: median(samples.map((s) => s.ours.loadMs)),
        oursActivateMs: median(samples.map((s) => s.ours.activateMs)),
        peerLoadMs: median(samples.map((s) => s.peer.loadMs)),
        peerActivateMs: median(samples.map((s) => s.peer.activateMs)),
        samples,
      };
    } catch (e) {
      // The plain-Node row below does not need code-server: still measure it.
      console.error(`  in-host activation failed: ${(e as Error).stack ?? String(e)}`);
      rows.push(skippedRow(hostLabel, `failed: ${(e as Error).message.split('\n')[0]}`));
    }
  }

  const coldLabel = '1b Cold require+activate, plain Node + fake vscode, ms (vs github-authentication)';
  const hasPeer = existsSync(githubAuthenticationDir);
  const ours: ColdSample[] = [];
  const peer: ColdSample[] = [];
  // Alternating, so drift in the machine's load hits both alike.
  for (let i = 0; i < o.coldSamples; i++) {
    ours.push(await coldActivate(repoRoot, ACTIVATION_SETTINGS));
    if (hasPeer) peer.push(await coldActivate(githubAuthenticationDir, {}));
  }
  const failed = [...ours, ...peer].find((s) => s.activateError);
  if (failed) throw new Error(`activate() failed under the fake vscode: ${failed.activateError}`);
  const total = (s: ColdSample) => s.requireMs + s.activateMs;
  const peerMs = hasPeer ? median(peer.map(total)) : null; // no github-authentication without code-server's install
  rows.push(row({ figure: coldLabel, ours: median(ours.map(total)), peer: peerMs, ...NO_SLOWER, runs: o.coldSamples }));
  details.cold = {
    oursRequireMs: round(median(ours.map((s) => s.requireMs))),
    oursActivateMs: round(median(ours.map((s) => s.activateMs))),
    peerRequireMs: hasPeer ? round(median(peer.map((s) => s.requireMs))) : undefined,
    peerActivateMs: hasPeer ? round(median(peer.map((s) => s.activateMs))) : undefined,
  };
  return { rows, invariants: [], details };
}
