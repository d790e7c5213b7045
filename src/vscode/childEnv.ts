import { delimiter } from 'node:path';

/** What the token helper server gives every process it serves. */
export interface HelperEnv {
  env: Record<string, string>;
  binDir: string;
}

/**
 * A task's or agent's environment: `base`, then the token helper's variables (its bin directory
 * first on PATH), then the provider's variable holding the token, so neither can be overridden.
 * Free of `vscode`.
 */
export function childEnv(
  base: NodeJS.ProcessEnv,
  helper: HelperEnv | undefined,
  token: { envVar: string; accessToken: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (helper) {
    Object.assign(env, helper.env);
    // Windows spells it "Path"; reuse whatever spelling is there.
    const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
    env[key] = env[key] ? `${helper.binDir}${delimiter}${env[key]}` : helper.binDir;
  }
  env[token.envVar] = token.accessToken;
  return env;
}
