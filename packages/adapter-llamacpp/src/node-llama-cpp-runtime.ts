// node-llama-cpp is a peer dependency and heavy (native bindings): import it only when a model is first needed, so
// importing this adapter stays cheap and a missing install becomes a readable `unavailable` reason.
import type { Llama } from 'node-llama-cpp';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let modulePromise: Promise<NodeLlamaCpp> | undefined;

export const INSTALL_HINT = 'install it next to this adapter: `npm install node-llama-cpp`';

/** Imports node-llama-cpp once per process; rejects with a message that says how to install it. */
export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp').catch((error: unknown) => {
    modulePromise = undefined;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`the peer dependency node-llama-cpp could not be loaded (${detail}); ${INSTALL_HINT}`, {
      cause: error,
    });
  });
  return modulePromise;
}

interface SharedLlama {
  promise: Promise<Llama>;
  users: number;
}

// One Llama (the native backend) per GPU mode per process: creating it costs hundreds of milliseconds and each
// instance holds its own thread pool. Reference-counted so the last target to be disposed frees it.
const shared = new Map<string, SharedLlama>();

/** Takes a reference to the process-wide Llama for `gpu`; pair every call with {@link releaseLlama}. */
export function acquireLlama(gpu: 'auto' | false): Promise<Llama> {
  const key = String(gpu);
  let entry = shared.get(key);
  if (!entry) {
    const promise = importNodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }),
    );
    entry = { promise, users: 0 };
    shared.set(key, entry);
    promise.catch(() => {
      if (shared.get(key) === entry) shared.delete(key);
    });
  }
  entry.users += 1;
  return entry.promise;
}

/** Drops a reference taken by {@link acquireLlama}; disposes the Llama when nobody uses it any more. */
export async function releaseLlama(gpu: 'auto' | false): Promise<void> {
  const key = String(gpu);
  const entry = shared.get(key);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared.delete(key);
  const llama = await entry.promise.catch(() => undefined);
  // Not awaited: node-llama-cpp 3.21.1 leaks a hold on the Llama when a model fails to load (a corrupt file), and once
  // that half-built model is garbage-collected `llama.dispose()` never settles; a target's dispose() must not hang.
  llama?.dispose().catch(() => {});
}
