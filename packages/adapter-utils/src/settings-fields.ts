import * as z from 'zod/mini';

// A number (and null) is shown as it is (NaN, -1, 1.5 say what is wrong); anything else only by its kind, so a value
// put in the wrong field (a key, a token) never lands in a message. Terse on purpose: it is in a page's first load.
const shownValue = (value: unknown): string =>
  typeof value === 'number' || value === null
    ? String(value)
    : typeof value === 'object'
      ? 'an object'
      : `a ${typeof value}`;

// zod's number checks (not a custom check) so a JSON Schema made from the settings schema, as the server's config
// schema is, still says `integer` / `minimum`; one message for every way the value fails.
type Message = (issue: { input?: unknown }) => string;

/**
 * A settings field for a count: a positive whole number. Its message names the unit and shows the bad value when it
 * is a number (`expected a positive whole number of tokens, got 1.5`), and a string or an object only by its kind
 * (`got a string`), so a secret put in the wrong field never reaches an error. zod/mini, so a page keeps only the
 * parts of zod it uses; wrap it in `z.optional()` for an optional setting.
 *
 * @param unit - What is counted, as the message says it (`tokens`, `milliseconds`, `bytes`); none by default.
 * @example
 * ```ts
 * const schema = z.strictObject({ contextSize: z.optional(positiveWholeNumberSchema('tokens')) });
 * parseSettings(schema, { contextSize: 0 }); // InvalidConfigError: contextSize: expected a positive whole number of tokens, got 0
 * ```
 */
export function positiveWholeNumberSchema(unit?: string) {
  const message: Message = (issue) =>
    `expected a positive whole number${unit ? ` of ${unit}` : ''}, got ${shownValue(issue.input)}`;
  // `abort`: 1.5 and -1.5 fail once, not once per check.
  return z.number({ error: message }).check(z.int({ error: message, abort: true }), z.positive({ error: message }));
}

/**
 * A settings field for a target's relative quality for quality-aware routing: a number from 0 to 1, the bad value
 * shown as {@link positiveWholeNumberSchema} shows it (`expected a number from 0 to 1, got 2`).
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ quality: z.optional(qualitySchema()) });
 * ```
 */
export function qualitySchema() {
  const message: Message = (issue) => `expected a number from 0 to 1, got ${shownValue(issue.input)}`;
  return z.number({ error: message }).check(z.gte(0, { error: message }), z.lte(1, { error: message }));
}

/**
 * A settings field for a target's id (for routing and logs): a non-empty string. The message never shows the value.
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ id: z.optional(targetIdSchema()) });
 * ```
 */
export function targetIdSchema() {
  const message = 'expected a non-empty string';
  return z.string(message).check(z.minLength(1, message));
}
