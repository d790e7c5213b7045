import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { gitCredentials } from '../../src/vscode/gitCredentials.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { hostGlue, sha } from './hostGlue.js';

/** The answers the built-in git extension gets (the e2e scenario git-source-control drives the real git). */
describe('git credentials for the Source Control view', function () {
  this.timeout(30_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  before(async function () {
    if (!vscode.workspace.isTrusted) return this.skip();
    w = await idpWorld({ providerId: 'hostgit' });
    g = hostGlue(w.service);
  });
  after(async () => {
    g?.dispose();
    await w?.close();
  });

  it('answers for the provider’s git host with user oauth2 and the current token; nothing for other hosts', async () => {
    await w.signIn();
    const origin = new URL(w.idp.issuer);
    const got = await gitCredentials(g, vscode.Uri.parse(`${origin.protocol}//someone@${origin.host}`));
    const token = await w.service.getAccessToken('hostgit');
    assert.equal(got?.username, 'oauth2');
    assert.equal(sha(got?.password), sha(token.accessToken));
    for (const other of [`http://127.0.0.2:1`, `https://example.com`, `http://${origin.hostname}`]) {
      assert.equal(await gitCredentials(g, vscode.Uri.parse(other)), undefined, other);
    }
  });

  it('answers nothing once signed out (git then asks the user, as without Agent Auth)', async () => {
    await w.service.signOut('hostgit');
    assert.equal(await gitCredentials(g, vscode.Uri.parse(w.idp.issuer)), undefined);
  });
});
