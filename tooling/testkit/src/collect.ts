/**
 * Reads a stream (a target's or a router's async iterable of parts, or any async iterable) to its end and returns
 * every item in order. A stream that fails rejects with its error, as the `for await` loop it replaces would, so
 * `await expect(collect(stream)).rejects…` checks how a stream ends.
 *
 * @example
 * ```ts
 * const parts = await collect(target.stream(call));
 * expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
 * ```
 */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/**
 * The text stream parts carry: every `text-delta` part's text, joined in order (what a consumer shows).
 *
 * @example
 * ```ts
 * expect(textOf(await collect(target.stream(call)))).toBe(answer.text);
 * ```
 */
export function textOf(parts: Iterable<{ readonly type: string; readonly text?: unknown }>): string {
  let text = '';
  for (const part of parts) if (part.type === 'text-delta' && typeof part.text === 'string') text += part.text;
  return text;
}
