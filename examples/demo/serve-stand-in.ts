/**
 * The demo's scripted stand-in model (and judge) as a service of its own: what the compose
 * stack's collector judges with when no real model is configured.
 *
 *   STANDIN_LISTEN=0.0.0.0:8080 node examples/demo/serve-stand-in.ts
 */
import { startStandInModel } from './stand-in-model.ts';

const listen = process.env.STANDIN_LISTEN ?? '127.0.0.1:8080';
const match = /^(.+):(\d+)$/.exec(listen);
if (!match) {
  console.error(`STANDIN_LISTEN expects HOST:PORT (e.g. 0.0.0.0:8080), got "${listen}"`);
  process.exit(2);
}
const model = await startStandInModel({ host: match[1], port: Number(match[2]) });
// The server is unref'd for the demo's in-process use; as a service it lives until it is stopped.
const keepAlive = setInterval(() => undefined, 1 << 30);
console.log(`stand-in model on ${model.baseURL} (Chat Completions; tracejudge judge requests get scripted judgments)`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    clearInterval(keepAlive);
    void model.close().then(() => process.exit(0));
  });
}
