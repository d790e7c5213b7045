'use strict';
// The Node transport of agent-auth-token, for machines with neither perl nor curl:
//   node agent-auth-token.js /v1/token?format=...
// sends that GET to the window's socket ($AGENT_AUTH_IPC) with the nonce from $AGENT_AUTH_NONCE.
// Exit 0: the answer is on stdout. 1: the window refused, its reason is on stderr. 3: no window
// listens (the shell script says so). 4: the channel failed.
const http = require('node:http');

function fail(code, message) {
  if (message) process.stderr.write(`Agent Auth: ${message}\n`);
  process.exitCode = code;
}

const req = http.request({
  socketPath: process.env.AGENT_AUTH_IPC,
  path: process.argv[2],
  headers: { 'X-Agent-Auth-Nonce': process.env.AGENT_AUTH_NONCE, Connection: 'close' },
  agent: false,
});
req.on('error', (err) => {
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') fail(3);
  else fail(4, `cannot reach the token helper: ${err.message}`);
});
req.on('response', (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('error', (err) => fail(4, `the token helper connection broke: ${err.message}`));
  res.on('end', () => {
    if (!res.complete) return fail(4, 'the token helper sent an incomplete answer.');
    const body = Buffer.concat(chunks);
    if (res.statusCode === 200) process.stdout.write(body);
    else {
      process.stderr.write(body);
      process.exitCode = 1;
    }
  });
});
req.end();
