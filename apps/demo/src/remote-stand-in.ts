import type { TracerProvider } from '@opentelemetry/api';
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { createRouter } from '@switchyard/core';
import { createGateway } from '@switchyard/server';
import { startFaultProxy } from '@switchyard/testkit';

/** Options of {@link startRemoteStandIn}. */
export interface RemoteStandInOptions {
  /** The GGUF model the stand-in serves (the demo's generated `large` model). */
  modelPath: string;
  /** Simulated network delay before the first byte of every answer, in ms. */
  delayMs: number;
  /** Tokens per sequence of the served model. */
  contextSize: number;
  /** CPU threads of the served model. Default 1 (the demo shares the machine with the on-device model). */
  threads?: number;
  /**
   * Where the stand-in's gateway records its SERVER spans; they join the demo router's trace through the
   * `traceparent` adapter-openai sends, as a real OpenTelemetry-enabled GPU server's would. Default: none recorded.
   */
  tracerProvider?: TracerProvider;
}

/** A loopback OpenAI-compatible endpoint that plays the "GPU endpoint", with a switch to break it. */
export interface RemoteStandIn {
  /** `http://127.0.0.1:<port>/v1`: the fault switch in front of the gateway. */
  readonly baseURL: string;
  /** The model name to request. */
  readonly model: string;
  readonly delayMs: number;
  /** The next request that reaches the stand-in gets its connection reset after a few streamed events. */
  breakNextRequest(): void;
  /** True from `breakNextRequest()` until a request has hit the fault. */
  readonly armed: boolean;
  close(): Promise<void>;
}

/**
 * What "broken" means: the stream is reset after a couple of events (the answer is visibly cut off), and the
 * router's retry of the same endpoint is reset too, so the request has to move to another target.
 */
const breakage = [
  { type: 'reset-after-events', events: 2 },
  { type: 'reset-after-events', events: 1 },
] as const;
const servedModel = 'switchyard-large';

/**
 * Starts the remote stand-in: the project's own gateway (`@switchyard/server`) on 127.0.0.1 serving a llama.cpp
 * target on a generated model, behind the testkit's fault proxy, which adds the simulated network delay and can
 * reset a stream mid-way. The demo reaches it through `@switchyard/adapter-openai`, so the remote path is real HTTP.
 */
export async function startRemoteStandIn(options: RemoteStandInOptions): Promise<RemoteStandIn> {
  const served = createLlamaCppTarget({
    modelPath: options.modelPath,
    id: `llamacpp:${servedModel}`,
    contextSize: options.contextSize,
    threads: options.threads ?? 1,
    gpu: false,
    sequences: 2,
    quality: 0.8,
  });
  // Its own router records nothing: the demo's trace shows the "GPU server" as one SERVER span, as a real one would.
  const router = createRouter({ targets: { [servedModel]: served }, telemetry: false });
  const gateway = createGateway({
    router,
    shutdownGraceMs: 1_000,
    metrics: false,
    ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
  });
  const closers: Array<() => Promise<void>> = [
    async () => {
      await router.dispose();
      await served.dispose?.();
    },
  ];
  try {
    // Load before listening: a stand-in that answers "loading" would be excluded by the demo's router.
    await served.load();
    const gatewayURL = await gateway.listen({ port: 0, host: '127.0.0.1' });
    closers.unshift(() => gateway.close({ graceMs: 500 }));
    const delay = options.delayMs > 0 ? { type: 'delay-first-byte' as const, ms: options.delayMs } : null;
    const proxy = await startFaultProxy({ upstream: gatewayURL, fault: delay });
    closers.unshift(() => proxy.close());
    let armed = false;
    const isArmed = () => {
      const hit = proxy.requests.filter((request) => request.fault?.type === 'reset-after-events').length;
      if (armed && hit >= breakage.length) armed = false;
      // The proxy records every byte it forwards; the demo only needs to know whether the fault was used.
      if (!armed) proxy.clearRequests();
      return armed;
    };
    return {
      baseURL: `${proxy.url}/v1`,
      model: servedModel,
      delayMs: options.delayMs,
      breakNextRequest() {
        if (isArmed()) return;
        proxy.queueFaults(...breakage);
        armed = true;
      },
      get armed() {
        return isArmed();
      },
      async close() {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
}
