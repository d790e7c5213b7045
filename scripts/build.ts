// `npm run build` (or `npm run watch`): bundles the extension into dist/ with esbuild.
import * as esbuild from 'esbuild';
import { buildOptions } from './buildOptions.js';

async function main(): Promise<void> {
  if (process.argv.includes('--watch')) await (await esbuild.context(buildOptions(true))).watch();
  else await esbuild.build(buildOptions());
}

main().catch(() => process.exit(1)); // esbuild has already printed the errors
