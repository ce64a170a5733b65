import type { StreamPart, Target, TargetCall, TargetCapabilities } from '@switchyard/contract';

/** A target that forwards to a real one and records what the router asked of it. */
export interface Instrumented<T extends Target> {
  readonly target: T;
  /** Calls in arrival order (`generate` for a whole answer, else `stream`: see `capabilities.wholeAnswers`). */
  readonly calls: TargetCall[];
  /** Called with every part the real target streamed, before the router sees it. */
  onPart?: (part: StreamPart) => void;
}

/**
 * Wraps a real target without changing its behaviour: it records each call (to see the `assistantPrefix` a
 * failover continued from) and lets a test react to parts (to crash a local model mid-stream).
 */
export function instrument<T extends Target>(
  target: T,
  /** Declared capabilities laid over the target's own, e.g. `{ continuation: false }` for a fallback that cannot continue. */
  overrides: Partial<TargetCapabilities> = {},
): Instrumented<T> & { wrapped: Target } {
  const calls: TargetCall[] = [];
  const handle: Instrumented<T> & { wrapped: Target } = {
    target,
    calls,
    wrapped: {
      specificationVersion: target.specificationVersion,
      id: target.id,
      locality: target.locality,
      get capabilities() {
        return { ...target.capabilities, ...overrides };
      },
      status: () => target.status(),
      generate(call) {
        calls.push(call);
        return target.generate(call);
      },
      async *stream(call) {
        calls.push(call);
        for await (const part of target.stream(call)) {
          handle.onPart?.(part);
          yield part;
        }
      },
    },
  };
  return handle;
}
