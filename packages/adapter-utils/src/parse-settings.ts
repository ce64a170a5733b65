import {
  englishIssueMessage,
  formatPath,
  type InputProblem,
  InvalidConfigError,
  zodIssuesToProblems,
} from '@switchyard/contract';
import * as z from 'zod/mini';

/** An `http:` / `https:` URL with a host; the message shows `example`. */
export function httpUrlSchema(example = 'http://127.0.0.1:8000') {
  const message = `expected a URL like ${example}`;
  return z.string(message).check(z.refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), message));
}

/**
 * Validates settings against a strict zod object schema. Throws `InvalidConfigError` whose problems name each field;
 * an unknown key (usually a typo) is named with the nearest valid key, e.g. `baseUrl: unknown setting; did you mean
 * "baseURL"?`. It adds no value to a message, and the kit's fields show a bad number but never a string, so a misplaced
 * secret stays secret. Returns the caller's own object, so dispatchers and functions keep their identity.
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ baseURL: httpUrlSchema(), model: z.string(), ...httpSettingsFields });
 * const settings = parseSettings(schema, input); // throws InvalidConfigError on `{ baseUrl: ... }`
 * ```
 */
export function parseSettings<T>(schema: z.core.$ZodType, input: unknown, options: { path?: string } = {}): T {
  // Messages in English whether or not classic zod (which configures them globally) is loaded too.
  const result = z.safeParse(schema, input, { error: englishIssueMessage });
  if (result.success) return input as T;
  const problems = settingsProblems(schema, input, result.error.issues);
  const prefix = options.path;
  throw new InvalidConfigError({
    problems: prefix
      ? problems.map((problem) => ({ ...problem, path: problem.path ? `${prefix}.${problem.path}` : prefix }))
      : problems,
  });
}

/**
 * zod issues of `schema` on `input` as problems by path, each unknown key as its own problem with the nearest key
 * valid at that place (`targets.device.threds: unknown setting; did you mean "threads"?`), or, when none is close, the
 * keys valid there (`unknown setting; expected one of …`): nested objects, records and discriminated unions (the
 * option `input` selects) included.
 */
export function settingsProblems(
  schema: z.core.$ZodType,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      problems.push(...zodIssuesToProblems([issue]));
      continue;
    }
    const known = knownKeys(schema, issue.path, input);
    for (const key of issue.keys) {
      const nearest = nearestKey(key, known);
      problems.push({ path: formatPath([...issue.path, key]), message: unknownSettingMessage(nearest, known) });
    }
  }
  return problems;
}

/** Names the typo's likely intent; with nothing close, the keys valid at that place (when it has any). */
function unknownSettingMessage(nearest: string | undefined, known: readonly string[]): string {
  if (nearest !== undefined) return `unknown setting; did you mean "${nearest}"?`;
  return known.length > 0 ? `unknown setting; expected one of ${known.join(', ')}` : 'unknown setting';
}

/**
 * The keys of the object schema at `path` inside `schema` (through optionals, pipes, refinements, records, arrays and
 * unions; a discriminated union takes the option `input` selects); empty when there is none.
 */
export function knownKeys(schema: z.core.$ZodType, path: readonly PropertyKey[] = [], input?: unknown): string[] {
  let current: z.core.$ZodType | undefined = schema;
  let value = input;
  for (const key of path) {
    current = current && childSchema(current, key, value);
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  const object = current && objectSchema(current, value);
  return object ? Object.keys(object.shape) : [];
}

interface SchemaDef {
  type?: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  schema?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  shape?: z.core.$ZodShape;
  discriminator?: string;
  values?: unknown[];
}

// `_zod.def`: the same for classic zod and zod/mini schemas.
const defOf = (schema: z.core.$ZodType) => schema._zod.def as SchemaDef;

/** The object schema `schema` stands for with this value: wrappers unwrapped, a union's matching option. */
function objectSchema(schema: z.core.$ZodType, value: unknown): { shape: z.core.$ZodShape } | undefined {
  const def = defOf(schema);
  if (def.type === 'object' && def.shape) return { shape: def.shape };
  const inner = def.innerType ?? def.in ?? def.schema;
  if (inner) return objectSchema(inner, value);
  if (def.type !== 'union' || !def.options) return undefined;
  const objects = def.options.map((option) => objectSchema(option, value)).filter((option) => option !== undefined);
  if (def.discriminator !== undefined && typeof value === 'object' && value !== null) {
    const wanted = (value as Record<string, unknown>)[def.discriminator];
    const chosen = objects.find((option) => {
      const tag = option.shape[def.discriminator as string];
      return tag !== undefined && (defOf(tag).values ?? []).includes(wanted);
    });
    if (chosen) return chosen;
  }
  return objects.length === 1 ? objects[0] : undefined;
}

function childSchema(schema: z.core.$ZodType, key: PropertyKey, value: unknown): z.core.$ZodType | undefined {
  const object = objectSchema(schema, value);
  if (object) return object.shape[String(key)];
  let current: z.core.$ZodType | undefined = schema;
  while (current) {
    const def = defOf(current);
    if (def.type === 'record') return def.valueType;
    if (def.type === 'array') return def.element;
    current = def.innerType ?? def.in ?? def.schema;
  }
  return undefined;
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
