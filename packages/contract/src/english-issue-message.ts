import { en } from 'zod/locales';
import type * as z from 'zod/mini';

let english: z.core.$ZodErrorMap | undefined;

/**
 * zod's English messages as a per-parse error map (`schema.safeParse(input, { error: englishIssueMessage })`). The
 * schemas are zod/mini's, which carry no messages unless a locale is configured; configuring one globally would be a
 * side effect of importing a library, so each of our parse calls passes this instead. A schema's own message (`'expected
 * a URL like …'`) still wins. Built on first use, so a page that never fails validation never builds it.
 */
export function englishIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  english ??= en().localeError;
  const message = english(issue);
  return typeof message === 'string' ? message : message?.message;
}
