import { PROVIDER_ID } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { sha256Prefix, type World } from '../world.js';
import { USER } from './browser.js';
import { driver } from './mcp.js';

/**
 * Another extension (the e2e host-runner, installed beside Agent Auth) does what api.d.ts says:
 * vscode.authentication.getSession('agent-auth', ['provider:dev'], { createIfNone: true }), allowed
 * by the user in VS Code's account picker, then the exported getAccessToken and fetchWithToken.
 */
export function otherExtension(w: World, childDir: string): Scenario {
  return {
    name: 'another-extension-session',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', async () => {
        const meta = (await (await fetch(`${w.idp.issuer}/.well-known/openid-configuration`)).json()) as {
          userinfo_endpoint: string;
        };
        return meta.userinfo_endpoint;
      });
      // Agent Auth supports several accounts, so VS Code asks which account the extension may use (its
      // account picker) where a single-account provider gets a yes/no dialog: the user picks theirs.
      const r = await step(
        `getSession (${USER} chosen in VS Code's account picker), getAccessToken, fetchWithToken`,
        async () => {
          const got = await driver(
            w,
            childDir,
            { op: 'session', scopes: [`provider:${PROVIDER_ID}`], url: userinfo },
            40_000,
            { account: USER },
          );
          if (!got.ok) throw new Error(got.error);
          return got;
        },
        { timeoutMs: 45_000 },
      );
      await step(
        'the session and getAccessToken carry tokens the IdP issued and accepts; fetchWithToken got 200',
        async () => {
          const issued = new Map([...w.idp.issuedSecrets].map((t) => [sha256Prefix(t), t]));
          for (const [what, sha] of [
            ['session.accessToken', r.sessionSha],
            ['getAccessToken', r.tokenSha],
          ] as const) {
            const token = issued.get(sha ?? '');
            if (!token) throw new Error(`${what} (sha256 ${sha}) is not a token the IdP issued`);
            if (!(await w.idp.provider.AccessToken.find(token))?.isValid)
              throw new Error(`${what} (sha256 ${sha}) is not valid at the IdP now`);
          }
          if (r.status !== 200) throw new Error(`fetchWithToken to the userinfo endpoint answered ${r.status}`);
        },
      );
      step.note(
        `account ${r.account}: session sha256 ${r.sessionSha}…, getAccessToken sha256 ${r.tokenSha}…, fetchWithToken userinfo ${r.status}`,
      );
    },
  };
}
