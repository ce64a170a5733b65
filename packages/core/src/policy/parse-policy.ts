import { englishIssueMessage, InvalidPolicyError, zodIssuesToProblems } from '@switchyard/contract';
import type { Policy } from './policy.js';
import { policySchema } from './policy-schema.js';

/**
 * Validates a routing policy and applies its defaults. Throws `InvalidPolicyError` whose problems name the path,
 * for example `policy.rules[1].when.battery: expected object, received number`. `undefined` means the defaults;
 * `null` is refused, since it more likely comes from a lookup that found nothing than from wanting the defaults.
 *
 * @example
 * ```ts
 * const policy = parsePolicy({ mode: 'auto', weights: { cost: 2 } });
 * policy.execution.retries; // 1 (the default)
 * ```
 */
export function parsePolicy(input: unknown): Policy {
  if (input === null) throw missingPolicyError(input);
  const result = policySchema.safeParse(input ?? {}, { error: englishIssueMessage });
  if (result.success) return result.data;
  throw new InvalidPolicyError({ problems: zodIssuesToProblems(result.error.issues, 'policy') });
}

/** The error for a policy of `null` (or, in `setPolicy`, no policy at all). */
export function missingPolicyError(input: null | undefined): InvalidPolicyError {
  const message = `expected a policy object, received ${input}; pass {} for the defaults`;
  return new InvalidPolicyError({ problems: [{ path: 'policy', message }] });
}

/** Checks that every target a policy names exists; a typo in a rule would otherwise silently match nothing. */
export function checkPolicyTargets(policy: Policy, targetNames: readonly string[]): void {
  const known = new Set(targetNames);
  const problems: { path: string; message: string }[] = [];
  const expected = `expected one of ${targetNames.map((name) => `"${name}"`).join(', ')}`;
  policy.rules.forEach((rule, index) => {
    for (const action of ['use', 'prefer', 'avoid'] as const) {
      rule[action]?.forEach((name, position) => {
        if (!known.has(name)) {
          problems.push({
            path: `policy.rules[${index}].${action}[${position}]`,
            message: `unknown target "${name}"; ${expected}`,
          });
        }
      });
    }
  });
  for (const name of Object.keys(policy.targets)) {
    if (!known.has(name))
      problems.push({ path: `policy.targets.${name}`, message: `unknown target "${name}"; ${expected}` });
  }
  if (problems.length > 0) throw new InvalidPolicyError({ problems });
}
