import type {
  DeviceSignals,
  Exclusion,
  ExclusionReason,
  GenerateRequest,
  SignalOverrides,
  TargetStatus,
} from '@switchyard/contract';
import { thermalStates } from '@switchyard/contract';
import type { TargetHealth } from '../execution/target-health.js';
import type { CompiledRule, RuleContext } from '../policy/compile-rules.js';
import type { Policy } from '../policy/policy.js';
import { detectorModule } from '../privacy/load-detector-for.js';
import { isPhoneCheckProvisional } from '../privacy/phone-numbers.js';
import {
  countPromptTokens,
  detectPiiInMessages,
  estimatePromptTokens,
  hasText,
  lastUserText,
} from './analyze-messages.js';
import type { ExplanationFacts, ScoreFacts } from './explain-plan.js';
import { budgetDetail, createRoutePlan, deviceFacts, percent } from './explain-plan.js';
import type { PlannedTarget, RoutePlan } from './route-plan.js';

/** Output tokens assumed when a request sets no `maxTokens` (capped by the target's `maxOutputTokens`). */
export const defaultOutputTokens = 256;
/** Latency priors used until a target has been measured (override per target in `policy.targets`). */
export const latencyPriors = {
  local: { ttftMs: 250, tokensPerSecond: 20 },
  remote: { ttftMs: 600, tokensPerSecond: 80 },
} as const;
/**
 * The decode rate the planner expects of a target: measured (EWMA of streamed answers), else the policy's
 * `expectedTokensPerSecond`, else the locality's prior. Shared with the executor, which learns a whole answer's TTFT
 * against the same rate (see `TargetHealth.recordWholeAnswer`).
 */
export function expectedTokensPerSecond(
  health: TargetHealth,
  settings: { expectedTokensPerSecond?: number | undefined } | undefined,
): number {
  return (
    health.tokensPerSecondEwma ??
    settings?.expectedTokensPerSecond ??
    latencyPriors[health.target.locality].tokensPerSecond
  );
}
/** Quality tiers used when neither the target nor the policy states one. */
export const defaultQuality = { local: 0.3, remote: 0.8 } as const;
/** Waiting requests a local target's queue may hold before `auto` spills to remote (`policy.targets[n].maxQueue`). */
export const defaultMaxQueue = 2;

/** Everything the decision reads. Building it is the caller's job; the decision itself does no I/O. */
export interface DecisionInput {
  request: GenerateRequest;
  policy: Policy;
  rules: readonly CompiledRule[];
  targets: readonly TargetHealth[];
  device: DeviceSignals;
  overrides: SignalOverrides | undefined;
  now: number;
  /** Dollars left in the current budget period (Infinity when there is no period budget). */
  periodBudgetLeftUsd: number;
  difficulty: ((prompt: string) => number) | undefined;
  /** Remote share of recent executed requests where local and remote targets were both eligible (`maxRemoteShare`). */
  remoteShare: { share: number; size: number };
  /** The caller's `targets` option: only these may run the request (already checked to name known targets). */
  allowedTargets: readonly string[] | undefined;
  /**
   * What is left of `routing.deadlineMs` when the request is planned after waiting (for code a page loads on demand);
   * `undefined`: all of it. Targets are scored against what the request can still afford.
   */
  deadlineLeftMs?: number | undefined;
}

interface Candidate {
  health: TargetHealth;
  score: number | undefined;
  meetsDeadline: boolean;
  demoted: boolean;
  preferred: number;
}

function statusDetail(status: TargetStatus): string {
  switch (status.state) {
    case 'downloading':
      return `model downloading (${Math.round(status.progress * 100)}%)`;
    case 'loading':
      return 'model loading';
    case 'unavailable':
      return status.reason;
    default:
      return status.state;
  }
}

/**
 * The decision: a pure function of request, device signals, policy and live stats → ordered plan, exclusions and
 * explanation. No I/O, no model loading, no timers; `router.plan()` and the executor both call it.
 */
export function planRoute(input: DecisionInput): RoutePlan {
  const { request, policy, device, overrides } = input;
  const messages = request.messages;
  const excluded: Exclusion[] = [];
  const promptTokens: Record<string, number> = {};

  // Privacy: an explicit `private` needs no scan; otherwise the on-device detector decides. In a page whose detector
  // has not loaded (core's browser build loads it on demand; requests wait for it, `plan()` does not), a prompt with
  // text counts as private: the privacy rules err towards the device.
  const markedPrivate = request.routing?.privacy === 'private';
  let detected: string[] = [];
  let detectorMissing: string | undefined;
  if (!markedPrivate && policy.privacy.detectPii) {
    const detectorFor = detectorModule.loaded;
    if (detectorFor !== undefined) detected = detectPiiInMessages(messages, detectorFor(policy.privacy));
    else if (hasText(messages)) detectorMissing = detectorModule.problem?.message ?? 'loading';
  }
  const isPrivate = markedPrivate || detected.length > 0 || detectorMissing !== undefined;

  const estimate = estimatePromptTokens(messages);
  const needsTools = (request.tools?.length ?? 0) > 0;
  const needsJsonSchema = request.responseFormat?.type === 'json_schema';
  let needsImages = false;
  for (const message of messages) {
    if (message.role === 'user' && typeof message.content !== 'string') {
      for (const part of message.content) if (part.type === 'image') needsImages = true;
    }
  }

  // Rules: the first rule whose `when` matches applies; the rest are ignored.
  let rule: CompiledRule | undefined;
  if (input.rules.length > 0) {
    const context: RuleContext = {
      tags: request.routing?.tags,
      private: isPrivate,
      promptTokens: estimate,
      tools: needsTools,
      jsonSchema: needsJsonSchema,
      device,
      now: overrides?.now ?? input.now,
    };
    for (const candidate of input.rules) {
      if (candidate.matches(context)) {
        rule = candidate;
        break;
      }
    }
  }

  const mode = policy.mode;
  const battery = device.battery;
  const batteryLow =
    battery?.level !== undefined && battery.level < policy.device.minBatteryLevel && battery.charging !== true;
  const maxThermal = thermalStates.indexOf(policy.device.maxThermalState);
  const thermalRank = device.thermal === undefined ? 0 : thermalStates.indexOf(device.thermal);
  const minFree = policy.device.minFreeMemoryBytes;
  const freeBytes = device.memory?.freeBytes;
  const offline = device.network?.online === false;
  const perRequestCap = minDefined(policy.budget.maxCostUsdPerRequest, request.routing?.maxCostUsd);
  const budgetLeft = Math.min(perRequestCap ?? Number.POSITIVE_INFINITY, input.periodBudgetLeftUsd);

  const allowed = input.allowedTargets;
  // Sized for every target, then cut to the candidates found: a push onto an empty array reserves 16 slots (~150 B per
  // request, most of it garbage at once; bench row 2 counts the young-generation collections it costs).
  const candidates: Candidate[] = new Array(input.targets.length);
  let candidateCount = 0;
  for (const health of input.targets) {
    const { name, target } = health;
    const capabilities = target.capabilities;
    const local = target.locality === 'local';
    const tokens =
      capabilities.countTokens === undefined ? estimate : countPromptTokens(messages, capabilities.countTokens);
    promptTokens[name] = tokens;
    const outputTokens = request.maxTokens ?? Math.min(defaultOutputTokens, capabilities.maxOutputTokens);

    let reason: ExclusionReason | undefined;
    let detail = '';
    if (allowed !== undefined && !allowed.includes(name)) {
      reason = 'rule';
      detail = "not in the caller's target list";
    } else if (isPrivate && !local) {
      reason = 'privacy';
      detail = markedPrivate
        ? 'request is marked private'
        : detectorMissing === undefined
          ? `request contains ${detected.join(', ')}`
          : detectorMissing === 'loading'
            ? 'the personal-data detector is still loading'
            : 'the personal-data detector could not be loaded';
    } else if ((mode === 'local-only' && !local) || (mode === 'remote-only' && local)) {
      reason = 'mode';
      detail = `policy mode is ${mode}`;
    } else if (offline && !local) {
      reason = 'offline';
      detail = 'the device is offline';
    } else {
      const forced = overrides?.targets?.[name]?.status;
      const status: TargetStatus =
        forced === undefined
          ? (health.queueProblem ?? target.status())
          : forced === 'downloading'
            ? { state: 'downloading', progress: 0 }
            : forced === 'unavailable'
              ? { state: 'unavailable', code: 'overridden', reason: 'marked unavailable by a signal override' }
              : { state: forced };
      if (status.state !== 'ready') {
        reason = 'unavailable';
        detail = statusDetail(status);
      } else if (!admitsCircuit(health, overrides?.targets?.[name]?.circuit, input.now)) {
        reason = 'circuit-open';
        detail = overrides?.targets?.[name]?.circuit
          ? 'circuit breaker is open (signal override)'
          : `circuit breaker is ${health.circuit.stateAt(input.now)} after repeated failures`;
      } else if (needsTools && !capabilities.tools) {
        reason = 'capability';
        detail = 'request has tools and the target does not support tool calls';
      } else if (needsJsonSchema && !capabilities.jsonSchema) {
        reason = 'capability';
        detail = 'request asks for JSON schema output and the target does not support it';
      } else if (needsImages && !capabilities.images) {
        reason = 'capability';
        detail = 'request has images and the target does not accept them';
      } else if (tokens + outputTokens > capabilities.contextWindow) {
        reason = 'context-window';
        detail = `${tokens} prompt + ${outputTokens} output tokens exceed the context window of ${capabilities.contextWindow}`;
      } else if (local && batteryLow) {
        reason = 'battery';
        detail = `battery ${percent(battery!.level!)} is below ${percent(policy.device.minBatteryLevel)} and not charging`;
      } else if (local && thermalRank > maxThermal) {
        reason = 'thermal';
        detail = `thermal state ${device.thermal} is above ${policy.device.maxThermalState}`;
      } else if (local && minFree !== undefined && freeBytes !== undefined && freeBytes < minFree) {
        reason = 'memory';
        detail = `${freeBytes} bytes free, policy needs ${minFree}`;
      } else if (rule?.use !== undefined && !rule.use.has(name)) {
        reason = 'rule';
        detail = `${rule.label} uses only ${rule.rule.use!.join(', ')}`;
      } else if (rule?.avoid?.has(name)) {
        reason = 'rule';
        detail = `${rule.label} avoids it`;
      } else if (capabilities.price !== undefined && budgetLeft !== Number.POSITIVE_INFINITY) {
        const cost = estimateCostUsd(capabilities.price, tokens, outputTokens);
        if (cost > budgetLeft) {
          reason = 'budget';
          detail = budgetDetail(cost, budgetLeft);
        }
      }
    }
    if (reason !== undefined) {
      excluded.push({ target: name, reason, detail });
      continue;
    }
    const preferIndex = rule?.prefer?.indexOf(name) ?? -1;
    candidates[candidateCount] = {
      health,
      score: undefined,
      meetsDeadline: true,
      demoted: false,
      preferred: preferIndex === -1 ? Number.POSITIVE_INFINITY : preferIndex,
    };
    candidateCount += 1;
  }
  // Only when some target was excluded: setting an array's length is not free.
  if (candidateCount < candidates.length) candidates.length = candidateCount;

  // Difficulty: consulted only when it can change the order (local and remote candidates compete, or `auto` weighs
  // candidates of different quality tiers), so the scorer does not run on every request for nothing.
  let difficulty: number | undefined;
  let difficultyFacts: ExplanationFacts['difficulty'];
  if (
    input.difficulty &&
    mode !== 'local-only' &&
    mode !== 'remote-only' &&
    (hasBothLocalities(candidates) || (mode === 'auto' && hasDifferentTiers(candidates, policy)))
  ) {
    difficulty = clamp01(input.difficulty(lastUserText(messages)));
    const threshold = policy.quality.threshold;
    // At the cap, difficulty stops promoting remote targets: no demotion, and no quality term in `auto` scores.
    const cap = policy.quality.maxRemoteShare;
    const capped = cap !== undefined && input.remoteShare.share >= cap;
    const demoted = !capped && difficulty > threshold && (mode === 'auto' || mode === 'prefer-local');
    difficultyFacts = {
      value: difficulty,
      threshold,
      demoted,
      ...(capped ? { cappedAt: { cap, share: input.remoteShare.share, size: input.remoteShare.size } } : {}),
    };
    if (demoted) for (const candidate of candidates) candidate.demoted = candidate.health.target.locality === 'local';
  }

  const scores =
    mode === 'auto'
      ? scoreCandidates(
          candidates,
          input,
          promptTokens,
          difficultyFacts?.cappedAt === undefined ? difficulty : undefined,
          excluded,
        )
      : undefined;

  if (candidates.length > 1) candidates.sort(mode === 'auto' ? compareAuto : compareByLocality[mode]);

  const plan: PlannedTarget[] = new Array(candidates.length);
  for (let index = 0; index < candidates.length; index += 1) {
    const candidate = candidates[index]!;
    plan[index] =
      candidate.score === undefined
        ? { target: candidate.health.name, locality: candidate.health.target.locality }
        : { target: candidate.health.name, locality: candidate.health.target.locality, score: candidate.score };
  }
  return createRoutePlan(
    { plan, excluded, privacy: { private: isPrivate, detected }, difficulty, promptTokens },
    {
      device: deviceFacts(device),
      markedPrivate,
      detected,
      detectorMissing,
      provisionalPhoneCheck: detected.length > 0 && detected.includes('phone-number') && isPhoneCheckProvisional(),
      allowedTargets: allowed,
      rulesChecked: input.rules.length > 0,
      rule,
      difficulty: difficultyFacts,
      scores,
      deadlineMs: input.deadlineLeftMs ?? request.routing?.deadlineMs,
      excludedCount: excluded.length,
      mode,
    },
  );
}

// Comparators are built once per mode so sorting allocates no closure per plan.
function compareFirst(a: Candidate, b: Candidate): number {
  if (a.preferred !== b.preferred) return a.preferred < b.preferred ? -1 : 1;
  if (a.demoted !== b.demoted) return a.demoted ? 1 : -1;
  return 0;
}

function compareAuto(a: Candidate, b: Candidate): number {
  const first = compareFirst(a, b);
  if (first !== 0) return first;
  if (a.meetsDeadline !== b.meetsDeadline) return a.meetsDeadline ? -1 : 1;
  const difference = (b.score ?? 0) - (a.score ?? 0);
  if (difference !== 0) return difference;
  // Deterministic tie-break: the order targets were given to createRouter.
  return a.health.index - b.health.index;
}

function byLocality(localFirst: boolean | undefined) {
  return (a: Candidate, b: Candidate): number => {
    const first = compareFirst(a, b);
    if (first !== 0) return first;
    if (localFirst !== undefined) {
      const aLocal = a.health.target.locality === 'local';
      if (aLocal !== (b.health.target.locality === 'local')) return aLocal === localFirst ? -1 : 1;
    }
    return a.health.index - b.health.index;
  };
}

const compareByLocality: Record<Exclude<Policy['mode'], 'auto'>, (a: Candidate, b: Candidate) => number> = {
  'prefer-local': byLocality(true),
  'prefer-remote': byLocality(false),
  'local-only': byLocality(undefined),
  'remote-only': byLocality(undefined),
};

/**
 * `auto` mode: expected latency (queue wait + TTFT + output / tokens-per-second, from live stats or priors) against
 * the deadline, expected cost, and expected quality loss (difficulty × (1 − tier)), weighted by `policy.weights`.
 * A saturated local queue spills to the remaining targets (reason `queue`).
 */
/** A target's circuit as the decision sees it: a caller's override wins over the live breaker. */
function admitsCircuit(
  health: TargetHealth,
  forced: 'closed' | 'half-open' | 'open' | undefined,
  now: number,
): boolean {
  return forced === undefined ? health.circuit.admits(now) : forced !== 'open';
}

/** A local target's queue as the decision sees it: a forced `queueDepth` means every slot is in use. */
function queueOf(health: TargetHealth, overrides: SignalOverrides | undefined): { busy: boolean; queueDepth: number } {
  const forced = overrides?.targets?.[health.name]?.queueDepth;
  if (forced !== undefined) return { busy: true, queueDepth: forced };
  return { busy: health.inFlight >= health.concurrency, queueDepth: health.queueDepth };
}

function scoreCandidates(
  candidates: Candidate[],
  input: DecisionInput,
  promptTokens: Record<string, number>,
  difficulty: number | undefined,
  excluded: Exclusion[],
): ScoreFacts[] {
  const { policy, request } = input;
  // Spill first, but never spill the last candidate: waiting beats failing.
  for (let index = candidates.length - 1; index >= 0 && candidates.length > 1; index -= 1) {
    const health = candidates[index]!.health;
    if (health.target.locality !== 'local') continue;
    const maxQueue = policy.targets[health.name]?.maxQueue ?? defaultMaxQueue;
    const { busy, queueDepth } = queueOf(health, input.overrides);
    if (busy && queueDepth >= maxQueue) {
      excluded.push({
        target: health.name,
        reason: 'queue',
        detail: `${queueDepth} requests waiting (maxQueue ${maxQueue}); spilling to the next target`,
      });
      candidates.splice(index, 1);
    }
  }
  const deadline = input.deadlineLeftMs ?? request.routing?.deadlineMs;
  const { latency: wLatency, cost: wCost, quality: wQuality } = policy.weights;
  const weightSum = wLatency + wCost + (difficulty === undefined ? 0 : wQuality) || 1;
  const latencies: number[] = [];
  const costs: number[] = [];
  let maxLatency = 0;
  let maxCost = 0;
  for (const candidate of candidates) {
    const { health } = candidate;
    const locality = health.target.locality;
    const settings = policy.targets[health.name];
    const ttft = health.ttftMsEwma ?? settings?.expectedTtftMs ?? latencyPriors[locality].ttftMs;
    const tps = expectedTokensPerSecond(health, settings);
    const output = request.maxTokens ?? Math.min(defaultOutputTokens, health.target.capabilities.maxOutputTokens);
    const run = ttft + (output / tps) * 1000;
    const queue = queueOf(health, input.overrides);
    const queueWait = ((queue.queueDepth + (queue.busy ? 1 : 0)) * run) / health.concurrency;
    const latency = queueWait + run;
    const price = health.target.capabilities.price;
    const cost = price ? estimateCostUsd(price, promptTokens[health.name] ?? 0, output) : 0;
    latencies.push(latency);
    costs.push(cost);
    if (latency > maxLatency) maxLatency = latency;
    if (cost > maxCost) maxCost = cost;
    candidate.meetsDeadline = deadline === undefined || latency <= deadline;
  }
  const scores: ScoreFacts[] = [];
  candidates.forEach((candidate, index) => {
    const { health } = candidate;
    const latency = latencies[index]!;
    const cost = costs[index]!;
    const tier = qualityTier(health, policy);
    const qualityLoss = difficulty === undefined ? 0 : difficulty * (1 - tier);
    const penalty =
      wLatency * (maxLatency > 0 ? latency / maxLatency : 0) +
      wCost * (maxCost > 0 ? cost / maxCost : 0) +
      wQuality * qualityLoss;
    candidate.score = Math.round((1 - penalty / weightSum) * 1000) / 1000;
    scores.push({
      target: health.name,
      score: candidate.score,
      latencyMs: latency,
      meetsDeadline: candidate.meetsDeadline,
      costUsd: cost,
      quality: tier,
    });
  });
  return scores;
}

/**
 * Estimated dollars for `inputTokens` in and `outputTokens` out at `price` (per million tokens), to the picodollar.
 * Rounded so what routes, logs and budgets show is the decimal a user would write (0.0000152, not dividing's
 * 0.000015199999999999998); a picodollar is far below any price's precision.
 */
export function estimateCostUsd(
  price: { inputPer1M: number; outputPer1M: number },
  inputTokens: number,
  outputTokens: number,
): number {
  const microdollars = inputTokens * price.inputPer1M + outputTokens * price.outputPer1M;
  return Math.round(microdollars * 1_000_000) / 1e12;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** A target's quality tier: the policy is the app's own judgement, so it wins over what the adapter declares. */
function qualityTier(health: TargetHealth, policy: Policy): number {
  return (
    policy.targets[health.name]?.quality ?? health.target.capabilities.quality ?? defaultQuality[health.target.locality]
  );
}

function hasDifferentTiers(candidates: readonly Candidate[], policy: Policy): boolean {
  const first = candidates[0];
  if (first === undefined) return false;
  const tier = qualityTier(first.health, policy);
  return candidates.some((candidate) => qualityTier(candidate.health, policy) !== tier);
}

function hasBothLocalities(candidates: readonly Candidate[]): boolean {
  let local = false;
  let remote = false;
  for (const candidate of candidates) {
    if (candidate.health.target.locality === 'local') local = true;
    else remote = true;
  }
  return local && remote;
}
