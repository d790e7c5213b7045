import assert from 'node:assert/strict';
import { usableForward } from '../../src/vscode/forwardedRedirect.js';

describe('forwarded redirect of a remote window', () => {
  const local = 'http://127.0.0.1:40123/callback';

  it('uses a plain loopback port forward (SSH, WSL, containers), whatever its port or loopback name', () => {
    assert.equal(usableForward(local, 'http://localhost:53123/callback'), 'http://localhost:53123/callback');
    assert.equal(usableForward(local, 'http://127.0.0.1:40123/callback'), local, 'a local window: unchanged');
    assert.equal(usableForward(local, 'http://[::1]:5000/callback'), 'http://[::1]:5000/callback');
  });

  it("refuses what no IdP accepts for a native client: code-server's proxy path, tunnels, other hosts", () => {
    assert.equal(usableForward(local, 'http://127.0.0.1:8080/proxy/40123/callback'), undefined, 'code-server');
    assert.equal(usableForward(local, 'https://abc-40123.devtunnels.ms/callback'), undefined, 'a tunnel');
    assert.equal(usableForward(local, 'http://dev-box.example:40123/callback'), undefined);
    assert.equal(usableForward(local, 'http://localhost:53123/callback?x=1'), undefined);
    assert.equal(usableForward(local, 'not a url'), undefined);
  });
});
