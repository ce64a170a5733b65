/**
 * An AbortSignal that aborts when any of `signals` does, plus `release()` to detach from them. Used instead of
 * `AbortSignal.any` because that keeps every derived signal alive as long as a long-lived source (the target's
 * dispose signal) lives, on Node 20, so a busy server would slowly leak.
 */
export function linkSignals(...signals: Array<AbortSignal | undefined>): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const onAbort = (event: Event) => {
    release();
    controller.abort((event.target as AbortSignal).reason);
  };
  const release = () => {
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      release();
      break;
    }
    source.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, release };
}
