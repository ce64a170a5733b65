// One benchmark row in its own process (spawned by cli.mjs with --expose-gc): rows do not share heaps, sockets or
// JIT state, and a row that needs special V8 flags gets them without affecting the others.
const rows = {
  latency: () => import('./rows/latency.mjs'),
  streaming: () => import('./rows/streaming.mjs'),
  decision: () => import('./rows/decision.mjs'),
  memory: () => import('./rows/memory.mjs'),
  failover: () => import('./rows/failover.mjs'),
  gateway: () => import('./rows/gateway.mjs'),
  local: () => import('./rows/local.mjs'),
  bundle: () => import('./rows/bundle.mjs'),
  browser: () => import('./rows/browser.mjs'),
  telemetry: () => import('./rows/telemetry.mjs'),
  store: () => import('./rows/store.mjs'),
  pool: () => import('./rows/pool.mjs'),
  'ai-sdk': () => import('./rows/ai-sdk.mjs'),
  portkey: () => import('./rows/portkey.mjs'),
};

process.once('message', async (options) => {
  try {
    const row = await rows[options.row]();
    const log = (line) => process.send({ log: line });
    const result = await row.run({ ...options, log });
    process.send({ result }, () => process.exit(0));
  } catch (error) {
    process.send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
      process.exit(1),
    );
  }
});
