import type { DeviceSignals, Exclusion } from '@switchyard/contract';
import type { CompiledRule } from '../policy/compile-rules.js';
import type { Policy } from '../policy/policy.js';
import type { PlannedTarget, RoutePlan } from './route-plan.js';

/** The device readings an explanation describes, copied at decision time (a signal source may update in place). */
export interface DeviceFacts {
  batteryLevel: number | undefined;
  charging: boolean | undefined;
  thermal: DeviceSignals['thermal'];
  freeBytes: number | undefined;
  online: boolean | undefined;
  metered: boolean | undefined;
}

/** One `auto` score, kept as numbers until someone reads the explanation. */
export interface ScoreFacts {
  target: string;
  score: number;
  latencyMs: number;
  meetsDeadline: boolean;
  costUsd: number;
  quality: number;
}

/**
 * What the decision found, as plain values. Turning them into sentences costs more than the decision itself, and
 * most plans are executed without anyone reading why, so the sentences are built when `explanation` is first read.
 */
export interface ExplanationFacts {
  device: DeviceFacts;
  markedPrivate: boolean;
  detected: readonly string[];
  /**
   * Set when a phone number was among `detected` while the phone check was provisional (a page whose numbering plans
   * had not loaded: it flags every number the full check could accept).
   */
  provisionalPhoneCheck: boolean;
  /**
   * Set when the detector was not there to scan the prompt (core's browser build loads it on demand): `'loading'`, or
   * why the last load failed. The prompt then counted as private.
   */
  detectorMissing: string | undefined;
  /** The caller's `targets` option, when given. */
  allowedTargets: readonly string[] | undefined;
  /** False when the policy has no rules (then no rule line is written). */
  rulesChecked: boolean;
  rule: CompiledRule | undefined;
  difficulty:
    | {
        value: number;
        threshold: number;
        demoted: boolean;
        /** Set when `quality.maxRemoteShare` kept difficulty from promoting remote targets. */
        cappedAt?: { cap: number; share: number; size: number };
      }
    | undefined;
  scores: ScoreFacts[] | undefined;
  deadlineMs: number | undefined;
  /** How many exclusions the decision made (the array stays the caller's to change afterwards). */
  excludedCount: number;
  mode: Policy['mode'];
}

/** Shared by every plan made with no device readings (a server without a signal source): no copy per request. */
const noDeviceFacts: DeviceFacts = Object.freeze({
  batteryLevel: undefined,
  charging: undefined,
  thermal: undefined,
  freeBytes: undefined,
  online: undefined,
  metered: undefined,
});

export function deviceFacts(device: DeviceSignals): DeviceFacts {
  if (
    device.battery === undefined &&
    device.thermal === undefined &&
    device.memory === undefined &&
    device.network === undefined
  ) {
    return noDeviceFacts;
  }
  return {
    batteryLevel: device.battery?.level,
    charging: device.battery?.charging,
    thermal: device.thermal,
    freeBytes: device.memory?.freeBytes,
    online: device.network?.online,
    metered: device.network?.metered,
  };
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function formatUsd(value: number): string {
  return value > 0 && value < 0.01 ? value.toPrecision(2) : value.toFixed(2);
}

/** Why a paid target's hold does not fit, in the plan's exclusions and in `BudgetExceededError` messages alike. */
export function budgetDetail(estimateUsd: number, leftUsd: number): string {
  return `estimated $${formatUsd(estimateUsd)} exceeds the $${formatUsd(leftUsd)} left`;
}

function describeDevice(device: DeviceFacts): string {
  const parts: string[] = [];
  if (device.batteryLevel !== undefined)
    parts.push(`battery ${percent(device.batteryLevel)}${device.charging ? ' (charging)' : ''}`);
  else if (device.charging !== undefined) parts.push(device.charging ? 'charging' : 'on battery');
  if (device.thermal !== undefined) parts.push(`thermal ${device.thermal}`);
  if (device.freeBytes !== undefined) parts.push(`${Math.round(device.freeBytes / 1048576)} MiB free`);
  if (device.online !== undefined) parts.push(device.online ? 'online' : 'offline');
  if (device.metered) parts.push('metered');
  return parts.length === 0 ? 'signals: none reported (unknown counts as fine)' : `signals: ${parts.join(', ')}`;
}

/** The explanation lines, in order: signals, privacy, rule, difficulty, scores, exclusions, the final order. */
export function explainPlan(
  facts: ExplanationFacts,
  excluded: readonly Exclusion[],
  plan: readonly PlannedTarget[],
): string[] {
  const lines = [describeDevice(facts.device)];
  if (facts.markedPrivate) lines.push('privacy: request is marked private, so only local targets may run it');
  else if (facts.detectorMissing !== undefined) {
    lines.push(
      facts.detectorMissing === 'loading'
        ? 'privacy: the personal-data detector is still loading (a page loads it on demand; requests wait for it, plan() does not), so the prompt counts as private: only local targets may run it'
        : `privacy: the personal-data detector could not be loaded (${facts.detectorMissing}; the next request tries again), so the prompt counts as private: only local targets may run it (fails closed)`,
    );
  } else if (facts.detected.length > 0) {
    lines.push(`privacy: detected ${facts.detected.join(', ')}, so only local targets may run it (fails closed)`);
    if (facts.provisionalPhoneCheck) {
      lines.push(
        'privacy: the phone number was flagged by the provisional check (the numbering plans had not loaded), which counts every number it cannot rule out',
      );
    }
  }
  if (facts.allowedTargets !== undefined) lines.push(`caller's target list: ${facts.allowedTargets.join(', ')}`);
  const rule = facts.rule;
  if (rule) {
    const actions: string[] = [];
    if (rule.rule.use) actions.push(`use ${rule.rule.use.join(', ')}`);
    if (rule.rule.prefer) actions.push(`prefer ${rule.rule.prefer.join(', ')}`);
    if (rule.rule.avoid) actions.push(`avoid ${rule.rule.avoid.join(', ')}`);
    lines.push(`${rule.label} matched: ${actions.join('; ')}`);
  } else if (facts.rulesChecked) lines.push('no policy rule matched');
  const difficulty = facts.difficulty;
  if (difficulty) {
    const capped = difficulty.cappedAt;
    lines.push(
      `difficulty ${difficulty.value.toFixed(2)} (threshold ${difficulty.threshold})${
        difficulty.demoted ? ': local targets demoted below remote ones' : ''
      }${
        capped
          ? `: remote share ${percent(capped.share)} of the last ${capped.size} requests is at or above maxRemoteShare ${percent(capped.cap)}, so difficulty does not promote remote targets`
          : ''
      }`,
    );
  }
  for (const score of facts.scores ?? []) {
    lines.push(
      `score ${score.target} = ${score.score} (expected ${Math.round(score.latencyMs)} ms${
        score.meetsDeadline ? '' : ` > deadline ${facts.deadlineMs} ms`
      }, $${formatUsd(score.costUsd)}, quality ${score.quality})`,
    );
  }
  for (let index = 0; index < facts.excludedCount && index < excluded.length; index += 1) {
    const entry = excluded[index]!;
    lines.push(`excluded ${entry.target}: ${entry.reason} (${entry.detail})`);
  }
  lines.push(
    plan.length === 0
      ? 'plan: no eligible target'
      : `plan (${facts.mode}): ${plan.map((entry) => entry.target).join(' → ')}`,
  );
  return lines;
}

/** What the decision hands over besides the explanation facts (`difficulty` undefined: not consulted). */
export type PlanFields = Omit<RoutePlan, 'explanation' | 'difficulty'> & { difficulty: number | undefined };

/**
 * A plan whose `explanation` is an own, enumerable accessor that builds the lines on first read and keeps them, so
 * readers, `JSON.stringify`, spreading and `structuredClone` all see the same `string[]` as before, and assigning
 * replaces it. A class with one shared property descriptor is about 5× cheaper to create
 * than an object literal with a getter and a setter (those allocate two closures and define each accessor at run time).
 */
class LazyRoutePlan implements RoutePlan {
  // Declared, not initialised: the constructor adds the properties in the order readers have always seen.
  declare plan: PlannedTarget[];
  declare excluded: Exclusion[];
  declare explanation: string[];
  declare privacy: RoutePlan['privacy'];
  declare difficulty?: number;
  declare promptTokens: Record<string, number>;
  #facts: ExplanationFacts | undefined;
  #lines: string[] | undefined;

  // The accessor stays: the lines are kept in a private field once built (or assigned). Turning the accessor into a
  // data property on first read, as this did, redefined a property of every answered request's plan (Object.
  // defineProperty on an instance: ~1 µs here, a sizeable part of the explanation's cost in the gateway's profile).
  static readonly #lazyExplanation: PropertyDescriptor = {
    get(this: LazyRoutePlan): string[] {
      let lines = this.#lines;
      if (lines === undefined) {
        const facts = this.#facts;
        lines = facts === undefined ? [] : explainPlan(facts, this.excluded, this.plan);
        this.#lines = lines;
        this.#facts = undefined;
      }
      return lines;
    },
    set(this: LazyRoutePlan, lines: string[]) {
      this.#lines = lines;
      this.#facts = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(fields: PlanFields, facts: ExplanationFacts) {
    this.plan = fields.plan;
    this.excluded = fields.excluded;
    Object.defineProperty(this, 'explanation', LazyRoutePlan.#lazyExplanation);
    this.privacy = fields.privacy;
    // Assigned in this order so the keys keep the order they always had (…, privacy, difficulty, promptTokens).
    if (fields.difficulty !== undefined) this.difficulty = fields.difficulty;
    this.promptTokens = fields.promptTokens;
    this.#facts = facts;
  }
}

/** The decision's result, with its explanation built when first read. */
export function createRoutePlan(fields: PlanFields, facts: ExplanationFacts): RoutePlan {
  return new LazyRoutePlan(fields, facts);
}
