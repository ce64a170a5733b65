import type * as z from 'zod/mini';
import type { InputProblem } from './errors/invalid-request-error.js';

/** `['messages', 2, 'role']` → `messages[2].role`; a `root` is prefixed (`policy.rules[1]`). */
export function formatPath(path: readonly PropertyKey[], root?: string): string {
  let result = root ?? '';
  for (const key of path) {
    if (typeof key === 'number') result += `[${key}]`;
    else result += result === '' ? String(key) : `.${String(key)}`;
  }
  return result;
}

/** zod issues → problems with readable paths; union failures are unfolded to the branch that got furthest. */
export function zodIssuesToProblems(issues: readonly z.core.$ZodIssue[], root?: string): InputProblem[] {
  return issues.map((issue) => ({ path: formatPath(issue.path, root), message: describeIssue(issue) }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator' && 'options' in issue) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `expected one of ${options.map((option) => JSON.stringify(option)).join(', ')}`;
      }
      return issue.message;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}
