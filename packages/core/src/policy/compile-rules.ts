import type { DeviceSignals } from '@switchyard/contract';
import type { PolicyRule } from './policy.js';

/** What a rule's `when` is evaluated against. */
export interface RuleContext {
  tags: readonly string[] | undefined;
  private: boolean;
  promptTokens: number;
  tools: boolean;
  jsonSchema: boolean;
  device: DeviceSignals;
  /** The time `hour` conditions read (a `Date` from a signal override, else epoch ms); only they pay for the local hour. */
  now: Date | number;
}

/** A rule with its condition turned into one predicate, built once when the policy is set. */
export interface CompiledRule {
  index: number;
  label: string;
  rule: PolicyRule;
  matches: (context: RuleContext) => boolean;
  use: ReadonlySet<string> | undefined;
  avoid: ReadonlySet<string> | undefined;
  prefer: readonly string[] | undefined;
}

type Check = (context: RuleContext) => boolean;

function compileWhen(when: PolicyRule['when']): Check {
  const checks: Check[] = [];
  if (when.tags) {
    const wanted = when.tags;
    // Every listed tag must be present on the request.
    checks.push((context) => {
      const tags = context.tags;
      if (tags === undefined) return false;
      for (const tag of wanted) if (!tags.includes(tag)) return false;
      return true;
    });
  }
  if (when.privacy) {
    const wantPrivate = when.privacy === 'private';
    checks.push((context) => context.private === wantPrivate);
  }
  if (when.promptTokens) {
    const { gt, lt } = when.promptTokens;
    if (gt !== undefined) checks.push((context) => context.promptTokens > gt);
    if (lt !== undefined) checks.push((context) => context.promptTokens < lt);
  }
  if (when.tools !== undefined) {
    const tools = when.tools;
    checks.push((context) => context.tools === tools);
  }
  if (when.jsonSchema !== undefined) {
    const jsonSchema = when.jsonSchema;
    checks.push((context) => context.jsonSchema === jsonSchema);
  }
  if (when.battery) {
    const { below, charging } = when.battery;
    // Unknown battery level never counts as "below"; unknown charging counts as not charging.
    if (below !== undefined) {
      checks.push((context) => {
        const level = context.device.battery?.level;
        return level !== undefined && level < below;
      });
    }
    if (charging !== undefined) checks.push((context) => (context.device.battery?.charging ?? false) === charging);
  }
  if (when.thermal) {
    const states = when.thermal;
    checks.push((context) => states.includes(context.device.thermal ?? 'nominal'));
  }
  if (when.online !== undefined) {
    const online = when.online;
    checks.push((context) => (context.device.network?.online ?? true) === online);
  }
  if (when.metered !== undefined) {
    const metered = when.metered;
    checks.push((context) => (context.device.network?.metered ?? false) === metered);
  }
  if (when.hour) {
    const { from, to } = when.hour;
    // [from, to) in the device's local time; from > to wraps past midnight (22 → 6).
    checks.push((context) => {
      const hour = (typeof context.now === 'number' ? new Date(context.now) : context.now).getHours();
      return from <= to ? hour >= from && hour < to : hour >= from || hour < to;
    });
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0]!;
  return (context) => {
    for (const check of checks) if (!check(context)) return false;
    return true;
  };
}

/** Turns the policy's rules into predicates once, so planning does no parsing or allocation for them. */
export function compileRules(rules: readonly PolicyRule[]): CompiledRule[] {
  return rules.map((rule, index) => ({
    index,
    label: rule.name ? `rule "${rule.name}" (policy.rules[${index}])` : `policy.rules[${index}]`,
    rule,
    matches: compileWhen(rule.when),
    use: rule.use ? new Set(rule.use) : undefined,
    avoid: rule.avoid ? new Set(rule.avoid) : undefined,
    prefer: rule.prefer,
  }));
}
