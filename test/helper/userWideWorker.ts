// One "VS Code window" with agentAuth.helper.userWide on: serves or stands by for the user-wide
// socket in argv[2], handing out the token argv[3]. Reports "serving" over IPC; disposes on "stop".
import { startUserWideHelper } from '../../src/helper/userWide.js';
import { HOUR, MapSource } from './harness.js';

const [dir, token] = process.argv.slice(2);
const helper = startUserWideHelper({
  dir,
  source: new MapSource({ acme: { accessToken: token, expiresAt: Date.now() + HOUR } }),
  log: { info: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) },
  retryMs: 100,
});
let reported = false;
const report = () => {
  if (helper.serving && !reported) {
    reported = true;
    process.send!('serving');
  }
};
setInterval(report, 20);
process.on('message', (m) => {
  if (m === 'stop') void helper.dispose().then(() => process.send!('stopped', () => process.exit(0)));
});
void helper.ready.then(() => process.send!('ready'));
