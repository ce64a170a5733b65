import type * as z from 'zod/mini';

/** How zod's English locale names a value's type: `null`, `array`, `NaN`, `Infinity`, a class name, else `typeof`. */
function typeName(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const prototype = Object.getPrototypeOf(value);
  return prototype !== Object.prototype && value.constructor ? value.constructor.name : 'object';
}

/** zod's `stringifyPrimitive`: strings quoted, bigints with `n`. */
const literal = (value: unknown): string =>
  typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? `${value}n` : String(value);

/** The unit zod counts a sized value in (`characters` of a string, `items` of an array or set, ...). */
const units: Readonly<Record<string, string>> = {
  string: 'characters',
  array: 'items',
  set: 'items',
  map: 'entries',
  file: 'bytes',
};

/**
 * zod's English messages as a per-parse error map (`schema.safeParse(input, { error: englishIssueMessage })`). The
 * schemas are zod/mini's, which carry no messages unless a locale is configured; configuring one globally would be a
 * side effect of importing a library, so each of our parse calls passes this instead. A schema's own message (`'expected
 * a URL like …'`) still wins.
 *
 * The text is zod's English locale's, word for word (a test compares the two on every issue kind), written here
 * because the locale module also carries the names of string formats these schemas never use: ~0.5 KB gzip in a page
 * (bench row 10). A string format it does not name reads as zod's format key (`Invalid email`).
 */
export function englishIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid input: expected ${literal(issue.values[0])}`
        : `Invalid option: expected one of ${issue.values.map(literal).join('|')}`;
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const relation = issue.exact ? 'exactly ' : `${big ? '<' : '>'}${issue.inclusive ? '=' : ''}`;
      const bound = `${relation}${big ? issue.maximum : issue.minimum}`;
      const unit = units[issue.origin ?? ''];
      const subject = issue.origin ?? (big ? 'value' : undefined);
      return `Too ${big ? 'big' : 'small'}: expected ${subject} to ${unit ? `have ${bound} ${unit}` : `be ${bound}`}`;
    }
    case 'invalid_format': {
      const format = issue as z.core.$ZodIssueInvalidStringFormat & Record<string, unknown>;
      if (format.format === 'starts_with') return `Invalid string: must start with "${format.prefix}"`;
      if (format.format === 'ends_with') return `Invalid string: must end with "${format.suffix}"`;
      if (format.format === 'includes') return `Invalid string: must include "${format.includes}"`;
      if (format.format === 'regex') return `Invalid string: must match pattern ${format.pattern}`;
      return `Invalid ${format.format}`;
    }
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map(literal).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`;
    case 'invalid_union': {
      const { options, inclusive } = issue as { options?: unknown; inclusive?: boolean };
      if (Array.isArray(options) && options.length > 0) {
        return `Invalid discriminator value. Expected ${options.map((option) => `'${option}'`).join(' | ')}`;
      }
      return inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input';
    }
    default:
      return 'Invalid input';
  }
}
