import type { RouterStreamPart } from '@switchyard/core';

/** Everything a router stream produced, and how it ended. */
export interface StreamOutcome {
  parts: RouterStreamPart[];
  /** What the stream threw, when it did not end normally. */
  error?: unknown;
  elapsedMs: number;
}

/** Reads a stream to its end without throwing: a failed stream is an outcome like any other. */
export async function drain(
  stream: AsyncIterable<RouterStreamPart>,
  onPart?: (part: RouterStreamPart) => void,
): Promise<StreamOutcome> {
  const startedAt = performance.now();
  const parts: RouterStreamPart[] = [];
  try {
    for await (const part of stream) {
      parts.push(part);
      onPart?.(part);
    }
    return { parts, elapsedMs: performance.now() - startedAt };
  } catch (error) {
    return { parts, error, elapsedMs: performance.now() - startedAt };
  }
}

/** The text a consumer shows: deltas in order, discarding what came before a `restart` failover. */
export function visibleText(parts: readonly RouterStreamPart[]): string {
  let text = '';
  for (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'failover' && part.mode === 'restart') text = '';
  }
  return text;
}

/** What a consumer that only concatenates `text-delta` parts shows (a terminal, a React string): no reset on restart. */
export function concatenatedText(parts: readonly RouterStreamPart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text-delta') text += part.text;
  return text;
}

/** Resolves what `promise` settles with, as `{ value }` or `{ error }`, and how long it took. */
export async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; elapsedMs: number }> {
  const startedAt = performance.now();
  try {
    const value = await promise;
    return { value, elapsedMs: performance.now() - startedAt };
  } catch (error) {
    return { error, elapsedMs: performance.now() - startedAt };
  }
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
