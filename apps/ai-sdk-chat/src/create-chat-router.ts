import type { OpenAITarget } from '@switchyard/adapter-openai';
import { createRouter, type PolicyInput, type Router } from '@switchyard/core';
import {
  createLocalTargetFromEnv,
  createRemoteStandInTarget,
  createRemoteTargetFromEnv,
  ensureRemoteStandInModel,
  type RemoteStandIn,
  standInContextLength,
  startRemoteStandIn,
} from '@switchyard/demo/stand-ins';

/** Options of {@link createChatRouter}. */
export interface ChatRouterOptions {
  /** Where `SWITCHYARD_*` settings are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Simulated network delay of the remote stand-in, in ms. Default 40. */
  remoteDelayMs?: number;
}

/** The router the chat runs on, what its targets are, and how to stop it. */
export interface ChatRouter {
  readonly router: Router;
  /** One line per target: its name, where it runs, and whether it is a stand-in. */
  readonly targets: readonly string[];
  /** Present when the remote is the generated stand-in (tests use it to break the remote mid-answer). */
  readonly remoteStandIn: RemoteStandIn | undefined;
  dispose(): Promise<void>;
}

/**
 * The chat's policy: the GPU endpoint answers by default; a private prompt (the page's switch, or personal data
 * found in it) stays on the device; when the GPU fails, the device takes over and continues the answer.
 */
export const chatPolicy = {
  mode: 'prefer-remote',
  privacy: { detectPii: true, onDetected: 'local-only' },
  execution: { retries: 1, firstTokenTimeoutMs: 20_000 },
} satisfies PolicyInput;

/**
 * Builds the chat's two targets and its router. With `SWITCHYARD_LOCAL_MODEL` (a GGUF file) and
 * `SWITCHYARD_REMOTE_URL` + `SWITCHYARD_REMOTE_MODEL` (+ `SWITCHYARD_REMOTE_API_KEY`) it uses real ones; without
 * them, the demo's stand-ins: the generated tiny model in llama.cpp, and a loopback OpenAI-compatible endpoint
 * serving a larger generated model.
 */
export async function createChatRouter(options: ChatRouterOptions = {}): Promise<ChatRouter> {
  const env = options.env ?? process.env;
  const cleanup: Array<() => Promise<void>> = [];
  const dispose = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup.length = 0;
  };
  try {
    const local = await createLocalTargetFromEnv(env);
    const device = local.target;
    cleanup.push(async () => device.dispose());

    let remoteStandIn: RemoteStandIn | undefined;
    let gpu: OpenAITarget;
    const fromEnv = createRemoteTargetFromEnv(env);
    if (fromEnv) {
      gpu = fromEnv.target;
    } else {
      remoteStandIn = await startRemoteStandIn({
        modelPath: await ensureRemoteStandInModel(),
        contextSize: standInContextLength,
        delayMs: options.remoteDelayMs ?? 40,
      });
      const standIn = remoteStandIn;
      cleanup.push(() => standIn.close());
      gpu = createRemoteStandInTarget(standIn.baseURL, standIn.model);
    }
    cleanup.push(async () => gpu.dispose?.());

    const router = createRouter({ targets: { device, gpu }, policy: chatPolicy });
    cleanup.push(() => router.dispose());
    // Load the on-device model now: a target still loading is excluded, which would surprise the first answer.
    await device.load();
    return {
      router,
      targets: [
        `device · local · llama.cpp in process · ${local.fromEnv ? env.SWITCHYARD_LOCAL_MODEL : 'generated tiny model (stand-in)'}`,
        `gpu · remote · OpenAI-compatible · ${fromEnv ? `${fromEnv.model} at ${fromEnv.baseURL}` : 'loopback stand-in serving a larger generated model'}`,
      ],
      remoteStandIn,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
