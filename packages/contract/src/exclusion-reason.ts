/**
 * Why the router left a target out of a plan. A fixed set, so applications can switch on it:
 *
 * - `privacy`: the request is private or contains personal data, and the target is remote.
 * - `offline`: the device is offline and the target is remote.
 * - `battery`: battery is low and not charging, and the target is local.
 * - `thermal`: the device is too hot, and the target is local.
 * - `memory`: too little free memory, and the target is local.
 * - `context-window`: the prompt plus output does not fit the target's context window.
 * - `capability`: the request needs tools, JSON schema output or images the target lacks.
 * - `budget`: the estimated cost exceeds the request's or the period's budget.
 * - `unavailable`: the target reports it is not ready (missing model, still downloading, daemon down).
 * - `circuit-open`: the target failed repeatedly and its circuit breaker is open.
 * - `rule`: a policy rule's `use` or `avoid` excluded it.
 * - `mode`: the policy mode (`local-only` / `remote-only`) excludes its locality.
 * - `queue`: the local queue is saturated and `auto` mode spills to remote.
 */
export const exclusionReasons = [
  'privacy',
  'offline',
  'battery',
  'thermal',
  'memory',
  'context-window',
  'capability',
  'budget',
  'unavailable',
  'circuit-open',
  'rule',
  'mode',
  'queue',
] as const;

/** One of {@link exclusionReasons}. */
export type ExclusionReason = (typeof exclusionReasons)[number];

/** One target the router left out, and why. */
export interface Exclusion {
  target: string;
  reason: ExclusionReason;
  detail: string;
}
