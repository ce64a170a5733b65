import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How many active resources of `type` (`'Timeout'`, `'TCPSocketWrap'`, …) the process holds right now. */
export function activeResources(type: string): number {
  return process.getActiveResourcesInfo().filter((name) => name === type).length;
}

let collect: (() => void) | undefined;

/** Heap in use after a full garbage collection (the test runner does not expose `gc`, so enable it here). */
export async function settledHeapBytes(): Promise<number> {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  for (let round = 0; round < 3; round += 1) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Records unhandled promise rejections until `stop()` is called. */
export function watchUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', listener);
  return { reasons, stop: () => process.off('unhandledRejection', listener) };
}
