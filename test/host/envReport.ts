/**
 * A terminal's "shell" for host tests (run by the extension host's Node): records which of the token
 * helper's variables the terminal got and whether agent-auth-token is on its PATH, never a value.
 */
export const ENV_REPORT = `
const fs = require('fs');
const path = require('path');
const e = process.env;
const onPath = (e.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'agent-auth-token')));
fs.appendFileSync(process.argv[2], JSON.stringify({
  AGENT_AUTH_IPC: !!e.AGENT_AUTH_IPC, AGENT_AUTH_NONCE: !!e.AGENT_AUTH_NONCE, AGENT_AUTH_TOKEN_HELPER: !!e.AGENT_AUTH_TOKEN_HELPER, helperOnPath: onPath,
}) + '\\n');
`;
