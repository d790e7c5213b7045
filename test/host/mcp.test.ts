import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mcpApi } from '../../src/vscode/mcpServers.js';

// Runs on both e2e hosts: VS Code 1.100 (no MCP API: agentAuth.mcpServers is reported as
// unsupported) and the newest (the provider is registered). The HTTP server across refreshes is
// the e2e scenario mcp-http-server-across-refreshes.
describe('MCP API detection', () => {
  it('finds the MCP server definition API exactly on VS Code 1.101 and newer', () => {
    const [major, minor] = vscode.version.split('.').map(Number) as [number, number];
    const expected = major > 1 || minor >= 101;
    assert.equal(mcpApi(vscode) !== undefined, expected, `VS Code ${vscode.version}`);
  });
});
