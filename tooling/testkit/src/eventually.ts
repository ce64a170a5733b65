/**
 * Polls `check` every 10 ms until it holds, for at most ~10 s, and says whether it held: a hang guard for tests
 * that wait on something asynchronous, instead of asserting a duration.
 *
 * @example
 * ```ts
 * expect(await eventually(() => proxy.openResponses() > 0)).toBe(true);
 * ```
 */
export async function eventually(check: () => boolean): Promise<boolean> {
  for (let tries = 0; tries < 1000 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
}

/**
 * What `promise` rejects with, or `undefined` when it fulfils: lets a test inspect an error with plain `expect`s.
 *
 * @example
 * ```ts
 * const error = await rejectionOf(target.generate(call));
 * expect(ApiCallError.isInstance(error)).toBe(true);
 * ```
 */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
