import type { GenerateRequest } from '@switchyard/spec';

/**
 * Naming a target's model pins a request to it. Pinning goes through the router (so privacy, capability and device
 * constraints still apply, and a private request is never sent to a pinned remote target): the request gets a tag,
 * and a rule at the front of the policy answers that tag with `use: [target]`.
 */
export function pinTag(target: string): string {
  return `switchyard:pin:${target}`;
}

function pinRuleName(target: string): string {
  return `switchyard: pinned to ${target}`;
}

interface RuleLike {
  name?: string;
}

/** The policy with one pin rule per target in front of its own rules (existing pin rules are not duplicated). */
export function withPinRules<P extends { rules?: readonly unknown[] }>(policy: P, targets: readonly string[]): P {
  const own = (policy.rules ?? []).filter((rule) => !(rule as RuleLike).name?.startsWith('switchyard: pinned to '));
  const pins = targets.map((target) => ({
    name: pinRuleName(target),
    when: { tags: [pinTag(target)] },
    use: [target],
  }));
  return { ...policy, rules: [...pins, ...own] };
}

/** Whether `policy` already has the pin rule for `target`. */
export function hasPinRule(policy: { rules?: readonly unknown[] }, target: string): boolean {
  const name = pinRuleName(target);
  return (policy.rules ?? []).some((rule) => (rule as RuleLike).name === name);
}

/** The request with the pin tag of `target` added to its routing hints. */
export function pinRequest(request: GenerateRequest, target: string): GenerateRequest {
  const tags = [...(request.routing?.tags ?? []), pinTag(target)];
  return { ...request, routing: { ...request.routing, tags } };
}
