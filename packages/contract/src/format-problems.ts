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
  return issues.flatMap((issue) => issueProblems(issue, issue.path, root));
}

function issueProblems(issue: z.core.$ZodIssue, path: readonly PropertyKey[], root?: string): InputProblem[] {
  if (issue.code === 'invalid_union') {
    const unfolded = unfoldUnion(issue, path, root);
    if (unfolded !== undefined) return unfolded;
  }
  return [{ path: formatPath(path, root), message: describeIssue(issue) }];
}

/**
 * A union whose every branch failed reads as zod's bare "Invalid input", which names neither the shapes accepted
 * nor the mistake. When the value had the type of one branch (an array where a string or an array was accepted),
 * that branch's own issues are the answer, at their deeper paths (`content[0].type`); when it had the type of none,
 * the message lists the types accepted (`expected string or array`). A union with its own message keeps it.
 */
function unfoldUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PropertyKey[],
  root?: string,
): InputProblem[] | undefined {
  const branches = issue.errors;
  if (issue.message !== 'Invalid input' || !branches?.length) return undefined;
  // A branch "missed" when its only issue is the value's own type or literal; any other branch is one the value reached.
  const reached = branches.find(
    (branch) => branch.length !== 1 || branch[0]!.path.length > 0 || !/^invalid_(type|value)$/.test(branch[0]!.code),
  );
  if (reached) return reached.flatMap((inner) => issueProblems(inner, [...path, ...inner.path], root));
  const accepted = new Set(
    branches.flatMap(([miss]) =>
      miss!.code === 'invalid_type'
        ? [miss!.expected]
        : (miss as z.core.$ZodIssueInvalidValue).values.map((value) => JSON.stringify(value)),
    ),
  );
  return [{ path: formatPath(path, root), message: `expected ${[...accepted].join(' or ')}` }];
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
