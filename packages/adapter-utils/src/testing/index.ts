/**
 * `@switchyard/adapter-utils/testing`: what an adapter's tests need to run the contract's fault suite
 * (`runTargetFaultConformance` from `@switchyard/contract/testing`) against a real server: `startFaultProxy()`, an
 * HTTP proxy on a loopback port that forwards to the adapter's server and injects resets, truncated and oversized
 * frames, error statuses with `Retry-After`, hangs and stalls, and `closedPortURL()` for a refused connection. Node
 * only (`node:http`, `node:net`): it has no `browser` or `worker` build, and nothing in the package's other entries
 * imports it.
 *
 * @example
 * ```ts
 * import { runTargetFaultConformance } from '@switchyard/contract/testing';
 * import { startFaultProxy, type FaultProxy } from '@switchyard/adapter-utils/testing';
 *
 * let proxy: FaultProxy;
 * beforeAll(async () => {
 *   proxy = await startFaultProxy({ upstream: myServerURL });
 * });
 * afterAll(() => proxy.close());
 * runTargetFaultConformance({ name: 'my adapter', faults: () => proxy, createTarget: (baseURL) => createMyTarget({ baseURL }) });
 * ```
 */

export { closedPortURL } from './closed-port-url.js';
export type { Fault, FaultProxy, FaultProxyOptions, ProxiedRequest } from './fault-proxy.js';
export { startFaultProxy } from './fault-proxy.js';
export { freePort } from './free-port.js';
