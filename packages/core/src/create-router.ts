import type {
  GenerateRequest,
  GenerateResult,
  SignalOverrides,
  SignalSource,
  StateStore,
  Target,
  TraceContext,
  Usage,
} from '@switchyard/contract';
import {
  BudgetExceededError,
  InvalidConfigError,
  InvalidRequestError,
  mergeSignals,
  NoEligibleTargetError,
  parseRequest,
  SwitchyardError,
  TimeoutError,
} from '@switchyard/contract';
import { checkRouterOptions } from './check-router-options.js';
import { needsFullPhoneCheck } from './decision/analyze-messages.js';
import { planRoute } from './decision/plan-route.js';
import { RemoteShareWindow } from './decision/remote-share-window.js';
import type { RoutePlan } from './decision/route-plan.js';
import type { RouterEvents, RouteSummary } from './events.js';
import { RouterEventEmitter } from './events.js';
import { BudgetLedger } from './execution/budget-ledger.js';
import type { CircuitState } from './execution/circuit-breaker.js';
import { CircuitBreaker } from './execution/circuit-breaker.js';
import type { ExecutionInput, ExecutionShared } from './execution/execution-input.js';
import { HealthProbes } from './execution/health-probes.js';
import { type Execution, executionCode } from './execution/load-execution.js';
import { queueClass } from './execution/load-queue-class.js';
import { requestCapUsd } from './execution/request-cap-usd.js';
import { requestIdOf } from './execution/request-id-of.js';
import type { TargetStats } from './execution/target-health.js';
import { TargetHealth } from './execution/target-health.js';
import { toAbortReason } from './execution/to-abort-reason.js';
import type { CompiledRule } from './policy/compile-rules.js';
import { compileRules } from './policy/compile-rules.js';
import { checkPolicyTargets, missingPolicyError, parsePolicy } from './policy/parse-policy.js';
import type { MidStreamMode, Policy, PolicyInput } from './policy/policy.js';
import { detectorModule } from './privacy/load-detector-for.js';
import { isPhoneCheckSettled, loadPhoneCheck } from './privacy/phone-numbers.js';
import type { RouterStreamPart } from './route-stream-part.js';
import { memoryStateStore } from './state/create-memory-state-store.js';
import { type RequestTraceModule, requestTraces } from './telemetry/load-opentelemetry.js';
import type { RequestTrace } from './telemetry/request-trace.js';
import type { TelemetryOptions } from './telemetry/router-telemetry.js';
import { RouterTelemetry } from './telemetry/router-telemetry.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Keys are the target names used in policies, plans and events. Order matters: it breaks ties. */
  targets: Record<string, Target>;
  /** Validated with zod; an invalid policy throws `InvalidPolicyError` with paths like `policy.rules[1].when.battery`. */
  policy?: PolicyInput;
  /** Device signals (battery, thermal, memory, network). Without one, every signal is unknown (counts as fine). */
  signals?: SignalSource;
  /**
   * Difficulty scorer for quality-aware routing: 0..1, how much the prompt needs a strong model (for example
   * `@switchyard/quality`'s score, built on the probability that the small model fails where the large one would not).
   */
  difficulty?: (prompt: string) => number;
  /** Include prompt text in `decision` events, and prompt and completion text in trace spans (default false). */
  includePromptsInEvents?: boolean;
  /**
   * OpenTelemetry providers for the router's GenAI spans and metrics. Default: the global ones; with none registered
   * (or `@opentelemetry/api` not installed) nothing is recorded or allocated. `false` turns telemetry off for this
   * router even when providers are registered: no spans, no metrics, no trace context sent to targets, and no
   * per-request check at all.
   *
   * @example
   * ```ts
   * const quiet = createRouter({ targets, telemetry: false }); // e.g. an inner router behind a traced gateway
   * ```
   */
  telemetry?: TelemetryOptions | false;
  /**
   * Where budget reservations (and, with a shared store, circuit cooldowns) live. Default: a new
   * `createMemoryStateStore()` for this router. Routers that share a store share the period budget: pass
   * `@switchyard/store-redis` to share it between processes. The router never closes a store it was given.
   *
   * @example
   * ```ts
   * const store = createMemoryStateStore();
   * const a = createRouter({ targets, policy: { budget: { maxCostUsd: { amount: 5, period: 'day' } } }, store });
   * const b = createRouter({ targets, policy: { budget: { maxCostUsd: { amount: 5, period: 'day' } } }, store });
   * // a and b together spend at most $5 a day (plus at most one request's estimate when usage beats it).
   * ```
   */
  store?: StateStore;
  /** Epoch milliseconds; inject one to test budgets over periods and circuit cooldowns. Default `Date.now`. */
  clock?: () => number;
  /** 0..1 random source for backoff jitter. Default `Math.random`. */
  random?: () => number;
}

/** Per-call options of `plan`, `generate` and `stream`. */
export interface RouteOptions {
  /** Overrides what the router observes for this call (device readings, target readiness, the time). */
  signals?: SignalOverrides;
  /**
   * Consider only these targets (names as given to `createRouter`), for example to pin a request to one model.
   * The others are excluded with reason `rule` ("not in the caller's target list"); the listed ones still pass every
   * eligibility check, so a private request is never sent to a listed remote target. Unknown names throw
   * `InvalidRequestError`.
   *
   * @example
   * ```ts
   * await router.generate(request, { targets: ['gpu'] }); // the GPU or nothing (NoEligibleTargetError)
   * ```
   */
  targets?: readonly string[];
  /**
   * The caller's W3C trace context (`traceparent`, `tracestate`), for example from an incoming HTTP request: the
   * request span becomes its child. Without it, the active OpenTelemetry context is the parent.
   */
  traceContext?: TraceContext;
  /**
   * Overrides `policy.execution.midStream` for this call, e.g. a gateway whose clients cannot retract text passes
   * `'continue'` even when the policy opts into `'restart'`.
   */
  midStream?: MidStreamMode;
}

/** A generate result plus how it was routed. */
export type RoutedGenerateResult = Omit<GenerateResult, 'usage'> & {
  /**
   * Always present: the tokens the target reported or, when `usageEstimated`, the router's estimate (input from the
   * prompt, output from the text): the figures its cost, budgets and state store used.
   */
  usage: Usage;
  /** True when the target did not report usage and `usage` is the router's estimate (also `route.usageEstimated`). */
  usageEstimated?: boolean;
  route: RouteSummary;
};

/** The router: decide (`plan`), run (`generate` / `stream`), observe (`stats`, `on`). */
export interface Router {
  /**
   * The decision only: pure and synchronous, no I/O, no model loading, no timers. The request is checked as
   * `generate()` checks it (an `InvalidRequestError` naming the field, not a TypeError from inside the planner).
   */
  plan(request: GenerateRequest, options?: RouteOptions): RoutePlan;
  /**
   * Validates, plans and runs the request; the result carries `route`. The router reads `request` (not a copy of
   * it, when it is an ordinary one) until the call settles, e.g. for a retry or a fallback: do not change it before. A target that fails after producing text is
   * continued where possible and otherwise started over on the next target (nothing was shown yet): `route.failovers`
   * says which. With `execution.midStream: 'error'` it throws `StreamInterruptedError` instead.
   */
  generate(request: GenerateRequest, options?: RouteOptions): Promise<RoutedGenerateResult>;
  /**
   * Like `generate`, streamed (and reading `request` until the stream ends): a decision `route` part first, then text, `usage`, `finish`, and a summary `route`.
   * Concatenating the `text-delta` parts gives the answer exactly: after the first token a failure continues only on a
   * target that can continue the partial answer, else the iterator throws `StreamInterruptedError` with the text
   * delivered so far (`execution.midStream`; `restart` opts into a visible restart announced by a `failover` part).
   */
  stream(request: GenerateRequest, options?: RouteOptions): AsyncIterable<RouterStreamPart>;
  /** Live per-target figures. */
  stats(): Record<string, TargetStats>;
  /**
   * Subscribes to a typed event; returns the unsubscribe function. An unknown event name (a typo from JavaScript or a
   * cast) or a listener that is not a function throws `InvalidConfigError` listing the events.
   */
  on<E extends keyof RouterEvents>(event: E, listener: (event: RouterEvents[E]) => void): () => void;
  readonly targets: Readonly<Record<string, Target>>;
  /** The parsed policy, with defaults applied. */
  readonly policy: Policy;
  /**
   * Validates and swaps the policy; in-flight requests keep the policy they started with. `{}` resets it to the
   * defaults; `null` or no argument throws `InvalidPolicyError` (and keeps the current policy).
   */
  setPolicy(policy: PolicyInput): void;
  /**
   * Stops health probes and removes event listeners; disposes nothing it did not create (targets and signal sources
   * stay yours).
   */
  dispose(): Promise<void>;
}

/**
 * Creates a router over named targets.
 *
 * @example
 * ```ts
 * const router = createRouter({
 *   targets: { device: localTarget, gpu: remoteTarget },
 *   policy: { mode: 'prefer-local', execution: { hedgeAfterMs: 800 } },
 * });
 * const { text, route } = await router.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 });
 * console.log(route.target, route.plan.explanation);
 * ```
 */
export function createRouter(options: RouterOptions): Router {
  checkRouterOptions(options);
  const names = Object.keys(options.targets);
  if (names.length === 0) {
    throw new InvalidConfigError({
      problems: [{ path: 'targets', message: 'expected at least one target, e.g. { targets: { device: myTarget } }' }],
    });
  }
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const events = new RouterEventEmitter();
  const storeError = (error: unknown) =>
    events.emit('store', { type: 'error', message: `State store operation failed: ${messageOf(error)}`, error });
  const ownStore = options.store === undefined;
  const store = options.store ?? memoryStateStore(clock);
  const budget = new BudgetLedger(store, clock, storeError);
  let policy = parsePolicy(options.policy);
  checkPolicyTargets(policy, names);
  let rules: CompiledRule[] = compileRules(policy.rules);
  let scans = startPrivacyLoads(policy);
  let requestCounter = 0;
  const remoteShare = new RemoteShareWindow(policy.quality.remoteShareWindow);
  let sharedShare: { share: number; size: number } | undefined;
  if (!ownStore) budget.refresh(policy).catch(storeError);

  const probes = new HealthProbes(clock, (result) => events.emit('probe', result));
  const QueueClass = queueClass.loaded;
  const healthList: TargetHealth[] = names.map((name, index) => {
    const target = options.targets[name]!;
    const circuit = new CircuitBreaker(policy.execution.circuit, (from, to) => {
      events.emit('circuit', { target: name, from, to });
      if (to === 'open') probes.watch(healthByName.get(name)!);
      if (!applyingPeerChange && !ownStore) shareCircuit(name, to);
    });
    const concurrency = policy.targets[name]?.concurrency ?? 1;
    const queue = target.locality === 'local' && QueueClass !== undefined ? new QueueClass({ concurrency }) : undefined;
    return new TargetHealth(
      name,
      target,
      index,
      circuit,
      queue,
      target.locality === 'local' ? concurrency : Number.POSITIVE_INFINITY,
    );
  });
  const healthByName = new Map(healthList.map((health) => [health.name, health]));
  // Core's browser build loads p-queue on demand, started here by a router with local targets; requests wait for it
  // before planning (see waitBeforePlanning), so none runs on a local target without its queue. If it cannot be
  // loaded, the local targets read as unavailable (with the reason) and the next request tries again.
  const localHealth = healthList.filter((health) => health.target.locality === 'local');
  let queuesLoading: Promise<void> | undefined;
  const loadQueues = (): Promise<void> => {
    queuesLoading ??= queueClass.load().then((loaded) => {
      queuesLoading = undefined;
      for (const health of localHealth) {
        if (typeof loaded === 'function') {
          health.queue ??= new loaded({ concurrency: health.concurrency });
          health.queueProblem = undefined;
        } else {
          health.queueProblem = {
            state: 'unavailable',
            code: 'not-ready',
            reason: `its request queue (p-queue) could not be loaded: ${loaded.message}`,
          };
        }
      }
    });
    return queuesLoading;
  };
  const queuesMissing = () => localHealth.length > 0 && localHealth[0]!.queue === undefined;
  if (queuesMissing()) void loadQueues();
  // Core's browser build loads the request execution code on demand too, started here; requests wait for it before
  // planning (see waitBeforePlanning). If it cannot be loaded, the requests that waited fail with a typed error
  // (nothing was sent to a target) and the next request tries again.
  if (executionCode.loaded === undefined) void executionCode.load();
  // What every execution shares; replaced (not changed) with the policy, so a running request keeps its own.
  let shared: ExecutionShared = { policy, health: healthByName, events, clock, random, budget, epoch: clock() };

  // Circuits are shared through the store: an opening here is written there (the store keeps the later end of two
  // cooldowns), and openings and closings written by other routers (replicas) are applied here. Transitions that came
  // from the store are not written back.
  let applyingPeerChange = false;
  const circuitPrefix = 'circuit:';
  function shareCircuit(name: string, to: CircuitState): void {
    const health = healthByName.get(name);
    if (health === undefined || to === 'half-open') return;
    const key = circuitPrefix + name;
    const write =
      to === 'open' ? store.openCircuit({ key, untilMs: health.circuit.openUntil }) : store.closeCircuit(key);
    write.catch(storeError);
  }
  const applyPeerCircuit = (name: string, openUntilMs: number | undefined) => {
    const health = healthByName.get(name);
    if (health === undefined) return;
    applyingPeerChange = true;
    try {
      if (openUntilMs === undefined) health.circuit.closeFromPeer();
      else health.circuit.openUntilAt(openUntilMs, clock());
    } finally {
      applyingPeerChange = false;
    }
  };
  const unsubscribeStore = store.subscribe((event) => {
    if (event.type === 'circuit') {
      if (event.key.startsWith(circuitPrefix))
        applyPeerCircuit(event.key.slice(circuitPrefix.length), event.openUntilMs);
    } else {
      events.emit('store', { type: event.type, message: event.message });
    }
  });
  if (!ownStore) {
    // A router that starts while another replica has a circuit open starts with it open.
    for (const name of names) {
      store.readCircuit(circuitPrefix + name).then((until) => {
        if (until !== undefined) applyPeerCircuit(name, until);
      }, storeError);
    }
  }

  const applyPolicy = (next: Policy) => {
    policy = next;
    shared = { ...shared, policy: next };
    rules = compileRules(next.rules);
    scans = startPrivacyLoads(next);
    remoteShare.resize(next.quality.remoteShareWindow);
    for (const health of healthList) {
      health.circuit.settings = next.execution.circuit;
      if (health.target.locality === 'local') {
        const concurrency = next.targets[health.name]?.concurrency ?? 1;
        // A queue still loading (core's browser build) is created with this concurrency.
        if (health.queue) health.queue.concurrency = concurrency;
        health.concurrency = concurrency;
      }
    }
  };

  const knownNames = new Set(names);
  const checkAllowedTargets = (allowed: readonly string[]) => {
    const expected = `expected one of ${names.map((name) => `"${name}"`).join(', ')}`;
    if (!Array.isArray(allowed)) {
      throw new InvalidRequestError({
        problems: [{ path: 'options.targets', message: `expected a list of target names, e.g. ["${names[0]}"]` }],
      });
    }
    if (allowed.length === 0) {
      throw new InvalidRequestError({
        problems: [{ path: 'options.targets', message: `expected at least one target name; ${expected}` }],
      });
    }
    const problems = allowed.flatMap((name, index) =>
      knownNames.has(name)
        ? []
        : [{ path: `options.targets[${index}]`, message: `unknown target "${name}"; ${expected}` }],
    );
    if (problems.length > 0) throw new InvalidRequestError({ problems });
  };

  const plan = (request: GenerateRequest, routeOptions?: RouteOptions, deadlineAt?: number): RoutePlan => {
    const allowedTargets = routeOptions?.targets;
    if (allowedTargets !== undefined) checkAllowedTargets(allowedTargets);
    const now = clock();
    const overrides = routeOptions?.signals;
    const read = options.signals?.read() ?? {};
    const device = overrides?.device ? mergeSignals(read, overrides.device) : read;
    const period = policy.budget.maxCostUsd;
    return planRoute({
      request,
      policy,
      rules,
      targets: healthList,
      device,
      overrides,
      now,
      periodBudgetLeftUsd: period
        ? Math.max(0, period.amount - budget.usedAt(period.period, now))
        : Number.POSITIVE_INFINITY,
      difficulty: options.difficulty,
      allowedTargets,
      remoteShare: sharedShare ?? { share: remoteShare.share, size: remoteShare.size },
      deadlineLeftMs: deadlineAt === undefined ? undefined : Math.max(0, deadlineAt - now),
    });
  };

  // Only requests that run count towards maxRemoteShare: plan() stays pure, and previews do not move the window.
  const recordLocalities = (decided: RoutePlan) => {
    const primary = decided.plan[0];
    if (primary === undefined) return;
    const other = primary.locality === 'local' ? 'remote' : 'local';
    if (!decided.plan.some((entry) => entry.locality === other)) return;
    const remote = primary.locality === 'remote';
    remoteShare.record(remote);
    // With a shared store the window is every replica's; plan() reads the store's last answer (this one's until then).
    if (!ownStore) {
      store
        .recordRemoteShare({ key: 'remote-share', remote, capacity: policy.quality.remoteShareWindow })
        .then((state) => {
          sharedShare = state;
        }, storeError);
    }
  };

  // A remote target that reported itself unavailable (its endpoint refused a connection, say) is excluded from every
  // plan, so no request would ever find out it is back: probe it in the background, as for an open circuit.
  const watchUnavailable = (decided: RoutePlan): void => {
    for (const exclusion of decided.excluded) {
      if (exclusion.reason === 'unavailable') probes.watch(healthByName.get(exclusion.target)!);
    }
  };

  // Everything a request needs before it runs; called by executePlan on the stream's first `next()`.
  const prepare = (
    input: GenerateRequest,
    routeOptions: RouteOptions | undefined,
    trace: RequestTrace | undefined,
    generating: boolean,
    deadlineAt: number | undefined,
  ): ExecutionInput => {
    const request = parseRequest(input);
    const midStream = routeOptions?.midStream;
    if (midStream !== undefined && !midStreamModes.includes(midStream)) {
      throw new InvalidRequestError({
        problems: [{ path: 'options.midStream', message: `expected "continue", "restart" or "error"` }],
      });
    }
    const decided = plan(request, routeOptions, deadlineAt);
    recordLocalities(decided);
    watchUnavailable(decided);
    requestCounter += 1;
    // The id is built here only when the decision is observed; otherwise the execution builds it if asked.
    let requestId: string | undefined;
    if (trace !== undefined || events.has('decision')) {
      requestId = requestIdOf(clock(), requestCounter);
      if (events.has('decision')) {
        events.emit('decision', {
          requestId,
          plan: decided,
          ...(options.includePromptsInEvents ? { prompt: promptText(request) } : {}),
        });
      }
      trace?.decided(requestId, decided, policy, request);
    }
    if (decided.plan.length === 0) {
      if (decided.excluded.some((entry) => entry.reason === 'budget')) throw budgetExceeded(request, decided);
      throw new NoEligibleTargetError({ excluded: decided.excluded });
    }
    // One literal of one shape (no spreads of little objects): built per request on the hot path.
    return {
      requestId,
      requestNumber: requestCounter,
      request,
      plan: decided,
      shared,
      telemetry: trace,
      midStream: midStreamFor(midStream ?? policy.execution.midStream, generating),
      deadlineAt,
    };
  };
  // Which budget left the paid targets out: the period's when it has less left than the request's cap.
  const budgetExceeded = (request: GenerateRequest, decided: RoutePlan): BudgetExceededError => {
    const now = clock();
    const period = policy.budget.maxCostUsd;
    const used = period ? budget.usedAt(period.period, now) : 0;
    const cap = requestCapUsd(policy, request);
    // The planner's "estimated $8 exceeds the $0.5 left": a cap below one estimate refuses with nothing spent.
    const detail = decided.excluded.find((entry) => entry.reason === 'budget')?.detail;
    return new BudgetExceededError(
      period !== undefined && (cap === undefined || period.amount - used < cap)
        ? { scope: 'period', limitUsd: period.amount, spentUsd: used, detail }
        : { scope: 'request', limitUsd: cap ?? 0, spentUsd: 0, detail },
    );
  };
  const telemetryOptions = options.telemetry;
  const telemetry =
    telemetryOptions === false
      ? undefined
      : new RouterTelemetry(events, options.targets, telemetryOptions, options.includePromptsInEvents === true);
  const traced = (
    input: GenerateRequest,
    routeOptions: RouteOptions | undefined,
    deadlineAt: number | undefined,
  ): AsyncGenerator<RouterStreamPart> => {
    const trace = telemetry?.begin(routeOptions?.traceContext);
    const parts = (executionCode.loaded as Execution).executePlan(() =>
      prepare(input, routeOptions, trace, false, deadlineAt),
    );
    // A metrics-only trace records from the decision and the attempts, inside the execution: no wrapper needed. A
    // trace exists only once the request-trace module loaded (RouterTelemetry.api).
    return trace?.recordsSpans ? (requestTraces() as RequestTraceModule).traceStream(parts, trace) : parts;
  };
  // stream()'s execution, after waitBeforePlanning (so the telemetry's modules have settled).
  const run = (
    input: GenerateRequest,
    routeOptions: RouteOptions | undefined,
    deadlineAt?: number,
  ): AsyncGenerator<RouterStreamPart> =>
    telemetry === undefined
      ? (executionCode.loaded as Execution).executePlan(() =>
          prepare(input, routeOptions, undefined, false, deadlineAt),
        )
      : traced(input, routeOptions, deadlineAt);

  // What core's browser build loads on demand: the request execution code, the personal-data detector (when the
  // policy scans prompts) and p-queue (when a target is local), started with the router, and the phone numbering
  // plans, fetched only for a request that needs them (phonesFor). A request that starts before what it needs has
  // settled waits for it once, so it is planned and run as after the load. Never on Node: all are loaded with core
  // there. The optional `@opentelemetry/api` import, and the request-trace code loaded after it (or after a given API
  // module), settle right after core loads, on Node too; a request started before that waits for them as well, so
  // none goes untraced.
  const waitBeforePlanning = (input: GenerateRequest): Promise<unknown> | undefined => {
    const code = executionCode.loaded === undefined ? executionCode.load() : undefined;
    const detector = scans.prompts && detectorModule.loaded === undefined ? detectorModule.load() : undefined;
    const queues = queuesMissing() ? loadQueues() : undefined;
    const traces = telemetry !== undefined && telemetry.api() === undefined ? telemetry.whenReady() : undefined;
    if (code === undefined && detector === undefined && queues === undefined && traces === undefined) {
      return phonesFor(input);
    }
    return Promise.all([code, detector, queues, traces]).then(() => phonesFor(input));
  };
  // The numbering plans are fetched when a scan first finds a number only they can decide (the detector starts
  // them; see detect-pii.ts): a request whose text holds one waits for them and is planned with the full check.
  // Any other request's verdict already is the full check's, so it does not wait, and a page whose prompts hold no
  // phone-like number never fetches them. The scan's verdicts are kept, so planning does not scan again.
  const phonesFor = (input: GenerateRequest): Promise<void> | undefined => {
    if (!scans.phones || isPhoneCheckSettled()) return undefined;
    // Without the detector nothing is scanned (plan() counts the prompt private, saying why).
    const detectorFor = detectorModule.loaded;
    if (detectorFor === undefined) return undefined;
    let request: GenerateRequest;
    try {
      request = parseRequest(input);
    } catch {
      return undefined; // prepare() throws the typed error, without waiting
    }
    if (request.routing?.privacy === 'private') return undefined;
    return needsFullPhoneCheck(request.messages, detectorFor(policy.privacy)) ? loadPhoneCheck() : undefined;
  };
  // A request whose caller aborts, or whose `routing.deadlineMs` passes, while it waits ends then, with the error it
  // ends with in the execution (an AbortError, or the signal's reason when that is a Switchyard error; a TimeoutError
  // of phase `deadline`), not when the chunks answer; nothing was sent. The deadline is what the caller can afford end
  // to end, so it counts the wait: this resolves with when it ends (clock time), which the execution keeps. The
  // per-attempt timers (`execution.timeoutMs`...) start with their attempts: nothing is sent while it waits.
  const untilLoaded = (loading: Promise<unknown>, input: GenerateRequest): Promise<number | undefined> =>
    new Promise((resolve, reject) => {
      // Bad input rejects here, at once (as prepare() would after the wait).
      const { signal, routing } = parseRequest(input);
      const deadlineMs = routing?.deadlineMs;
      const aborted = () => reject(toAbortReason(signal?.reason));
      const timer =
        deadlineMs &&
        setTimeout(() => reject(new TimeoutError({ timeoutMs: deadlineMs, phase: 'deadline' })), deadlineMs);
      const deadlineAt = deadlineMs && clock() + deadlineMs;
      if (signal?.aborted) aborted();
      else signal?.addEventListener('abort', aborted, { once: true });
      loading
        .then(() => resolve(deadlineAt), reject)
        .finally(() => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', aborted);
        });
    });
  // After the wait: the execution code is there, or this request fails with why it is not.
  const notLoaded = (): SwitchyardError | undefined =>
    executionCode.loaded === undefined
      ? executionNotLoaded(executionCode.problem ?? new Error('still loading'))
      : undefined;
  async function* afterLoading(
    loading: Promise<unknown>,
    input: GenerateRequest,
    routeOptions: RouteOptions | undefined,
  ) {
    const deadlineAt = await untilLoaded(loading, input);
    const problem = notLoaded();
    if (problem !== undefined) throw problem;
    yield* run(input, routeOptions, deadlineAt);
  }

  const generate = (
    request: GenerateRequest,
    routeOptions: RouteOptions | undefined,
  ): Promise<RoutedGenerateResult> => {
    const loading = waitBeforePlanning(request);
    return loading === undefined
      ? generateNow(request, routeOptions)
      : untilLoaded(loading, request).then((deadlineAt) => {
          const problem = notLoaded();
          return problem === undefined ? generateNow(request, routeOptions, deadlineAt) : Promise.reject(problem);
        });
  };
  // Not an async function: the answer is collected inside the execution (no async hop per part, see collectPlan),
  // and an async frame of its own would live as long as the request does (bench row 5).
  const generateNow = (
    request: GenerateRequest,
    routeOptions: RouteOptions | undefined,
    deadlineAt?: number,
  ): Promise<RoutedGenerateResult> => {
    let trace: RequestTrace | undefined;
    try {
      trace = telemetry?.begin(routeOptions?.traceContext);
    } catch (error) {
      return Promise.reject(error);
    }
    const answer = (executionCode.loaded as Execution).collectPlan(() =>
      prepare(request, routeOptions, trace, true, deadlineAt),
    );
    if (trace === undefined || !trace.recordsSpans) return answer;
    return answer.then(
      (result) => {
        trace.end('ok');
        return result;
      },
      (error: unknown) => {
        trace.end({ error });
        throw error;
      },
    );
  };

  return {
    // What callers pass is checked; the router's own calls (prepare) pass a request it has already checked.
    plan: (request, routeOptions) => plan(parseRequest(request), routeOptions),
    stream: (request, routeOptions) => {
      const loading = waitBeforePlanning(request);
      return loading === undefined ? run(request, routeOptions) : afterLoading(loading, request, routeOptions);
    },
    generate,
    stats() {
      const now = clock();
      const result: Record<string, TargetStats> = {};
      for (const health of healthList) result[health.name] = health.snapshot(now);
      return result;
    },
    on: (event, listener) => events.on(event, listener),
    targets: Object.freeze({ ...options.targets }),
    get policy() {
      return policy;
    },
    setPolicy(input) {
      // Resetting to the defaults takes an explicit `{}`: a missing argument is more likely a mistake.
      if (input === undefined) throw missingPolicyError(input);
      const next = parsePolicy(input);
      checkPolicyTargets(next, names);
      applyPolicy(next);
    },
    async dispose() {
      // Health probe timers are the router's only background work; per-request timers end with their requests.
      probes.dispose();
      events.clear();
      unsubscribeStore();
      if (ownStore) await store.close();
    },
  };
}

const midStreamModes: readonly MidStreamMode[] = ['continue', 'restart', 'error'];

/** Why a request of core's browser build could not run: its execution code (a chunk loaded on demand) did not load. */
function executionNotLoaded(cause: Error): SwitchyardError {
  return new SwitchyardError({
    code: 'internal',
    isRetryable: true,
    message:
      `Could not load Switchyard's request execution code (a chunk of @switchyard/core's browser build, loaded on ` +
      `demand): ${cause.message.replace(/\.$/, '')}. No target was called; the next request tries to load it again.`,
    cause,
  });
}

/**
 * Whether `policy` scans prompts, and for phone numbers; starts loading the detector when it scans (a no-op on Node).
 * The phone numbering plans are not started here: only a request that needs them fetches them (see phonesFor).
 */
function startPrivacyLoads(policy: Policy): { prompts: boolean; phones: boolean } {
  const prompts = policy.privacy.detectPii;
  const phones = prompts && policy.privacy.detect.includes('phone-number');
  if (prompts && detectorModule.loaded === undefined) void detectorModule.load();
  return { prompts, phones };
}

/** generate() shows nothing before the end, so starting over cannot show text twice; the route records it. */
function midStreamFor(mode: MidStreamMode, generating: boolean): MidStreamMode {
  return generating && mode !== 'error' ? 'restart' : mode;
}

function promptText(request: GenerateRequest): string {
  return request.messages
    .map((message) =>
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
    )
    .join('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
