// The bench's rows, in the order `pnpm bench` runs them: the CLI's `--only` names, row.mjs's loaders (each row is
// imported only in the child process that runs it) and the smoke test's expectations all read this one list.
export const rowLoaders = {
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

export const allRows = Object.keys(rowLoaders);
