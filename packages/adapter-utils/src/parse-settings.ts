import {
  capabilitySettingsSchema,
  type InputProblem,
  InvalidConfigError,
  targetPriceSchema,
  zodIssuesToProblems,
} from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import { z } from 'zod';

/** An `http:` / `https:` URL with a host; the message shows `example`. */
export function httpUrlSchema(example = 'http://127.0.0.1:8000') {
  const message = `expected a URL like ${example}`;
  return z.string(message).refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), message);
}

const positiveInt = z.number('expected a positive whole number').int().positive();

/** An undici `Dispatcher` (Agent, Pool, Client), checked by shape so two installed copies of undici both pass. */
export const dispatcherSchema = z.custom<Dispatcher>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).request === 'function',
  'expected an undici Dispatcher (Agent, Pool, Client)',
);

/**
 * The settings every HTTP adapter shares; spread them into an adapter's `z.strictObject({...})` beside its own.
 * `baseURL` and `model` stay with each adapter (required or not, and with its own message).
 */
export const httpSettingsFields = {
  /** The target's id for routing and logs. */
  id: z.string().min(1).optional(),
  /** Extra request headers; values of secret-looking names are redacted from errors. */
  headers: z.record(z.string(), z.string()).optional(),
  /** The undici dispatcher for every request. */
  dispatcher: dispatcherSchema.optional(),
  /** Deadline for a whole call, in ms. */
  timeoutMs: positiveInt.optional(),
  /** Deadline for the first token, in ms. */
  firstTokenTimeoutMs: positiveInt.optional(),
  /** Largest stream event (SSE event or NDJSON line) the reader buffers, in bytes. */
  maxEventBytes: positiveInt.optional(),
  /** What the model can do; fields left out take the adapter's defaults. */
  capabilities: capabilitySettingsSchema.optional(),
  /** US dollars per million tokens. */
  price: targetPriceSchema.optional(),
} as const;

/**
 * Validates settings against a strict zod object schema. Throws `InvalidConfigError` whose problems name each field;
 * an unknown key (usually a typo) is named with the nearest valid key, e.g. `baseUrl: unknown setting; did you mean
 * "baseURL"?`. Values are never echoed, so a misplaced secret stays secret. Returns the caller's own object, so
 * dispatchers and functions keep their identity.
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ baseURL: httpUrlSchema(), model: z.string(), ...httpSettingsFields });
 * const settings = parseSettings(schema, input); // throws InvalidConfigError on `{ baseUrl: ... }`
 * ```
 */
export function parseSettings<T>(schema: z.ZodType, input: unknown, options: { path?: string } = {}): T {
  const result = schema.safeParse(input);
  if (result.success) return input as T;
  const known = knownKeys(schema);
  const problems: InputProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const nearest = nearestKey(key, known);
        const path = [...issue.path.map(String), key].join('.');
        problems.push({
          path,
          message: nearest === undefined ? 'unknown setting' : `unknown setting; did you mean "${nearest}"?`,
        });
      }
      continue;
    }
    problems.push(...zodIssuesToProblems([issue]));
  }
  const prefix = options.path;
  throw new InvalidConfigError({
    problems: prefix
      ? problems.map((problem) => ({ ...problem, path: problem.path ? `${prefix}.${problem.path}` : prefix }))
      : problems,
  });
}

/** The top-level keys of an object schema (through pipes and refinements); empty when it has none. */
export function knownKeys(schema: z.ZodType): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  if (shape !== undefined) return Object.keys(shape);
  const inner = (schema as { def?: { in?: z.ZodType; schema?: z.ZodType } }).def;
  if (inner?.in) return knownKeys(inner.in);
  if (inner?.schema) return knownKeys(inner.schema);
  return [];
}

/**
 * The candidate closest to `key` by edit distance, ignoring case and `_`/`-`, when it is close enough to be a typo
 * (at most a third of the key's length); `undefined` otherwise.
 */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const wanted = normal(key);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normal(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(wanted.length / 3)) ? best : undefined;
}

/** Edit distance where swapping two neighbouring letters (`modle`) counts as one edit, like an insertion. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
