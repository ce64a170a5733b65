import type { InputProblem, Locality, Usage } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import type { RoutePlan } from './decision/route-plan.js';
import type { CircuitState } from './execution/circuit-breaker.js';
import type { ProbeResult } from './execution/health-probes.js';

/** One try of one target within a request. */
export interface Attempt {
  target: string;
  /** `hedge-lost`: a hedged attempt that was cancelled because the other one produced a token first. */
  outcome: 'success' | 'error' | 'aborted' | 'hedge-lost';
  error?: { code: string; message: string; isRetryable: boolean };
  /** Epoch ms (router clock). */
  startedAt: number;
  /** From `startedAt` (queue wait included) to the first text or tool call. */
  ttftMs?: number;
  durationMs: number;
  usage?: Usage;
  /**
   * True when the target did not report usage and `usage` is the router's estimate (input from the prompt, output from
   * the text, about 4 characters a token): a server that omits usage, or a cancelled or broken attempt.
   */
  usageEstimated?: boolean;
  costUsd?: number;
}

/** The router moved to another target after text had been produced. */
export interface MidStreamFailover {
  from: string;
  to: string;
  /** `continue`: the next target carried on after the text so far. `restart`: it started the answer over. */
  mode: 'continue' | 'restart';
  /** Characters of answer text produced before the failover (discarded on a restart). */
  afterChars: number;
}

/** How a request was routed and run; `generate()` results carry it as `route`. */
export interface RouteSummary {
  /** Who answered (undefined only in failure reports). */
  target: string | undefined;
  locality: Locality | undefined;
  plan: RoutePlan;
  attempts: Attempt[];
  /** How many times the router moved to another target. */
  fallbacks: number;
  /**
   * Every move to another target after text was produced, in order; absent when there was none. A `restart` here on
   * a `generate()` result means the answer was started over internally (nothing had been shown).
   */
  failovers?: MidStreamFailover[];
  hedged: boolean;
  /** Dollars spent by every attempt of this request (losers and failed attempts included when usage is known). */
  costUsd: number;
  /**
   * Tokens of the answering attempt: as its target reported them or, when `usageEstimated`, the router's estimate
   * (the figures its cost and budget used). Absent only in failure reports.
   */
  usage?: Usage;
  /** True when `usage` is the router's estimate: the target did not report it. */
  usageEstimated?: boolean;
  ttftMs?: number;
  tokensPerSecond?: number;
}

/** The typed events of `router.on()`. No prompt text or secrets unless `includePromptsInEvents` is set. */
export interface RouterEvents {
  decision: { requestId: string; plan: RoutePlan; prompt?: string };
  attempt: { requestId: string; target: string; phase: 'start' | 'end'; attempt?: Attempt };
  fallback: { requestId: string; from: string; to: string; error: { code: string; message: string } };
  hedge: { requestId: string; primary: string; secondary: string; winner?: string };
  circuit: { target: string; from: CircuitState; to: CircuitState };
  /** A health probe of a remote target whose circuit is open (`ready` half-opens the circuit early). */
  probe: ProbeResult;
  /**
   * The state store failed an operation (`error`: the request went on; a budget settle may be lost), or lost or
   * regained its shared backend (`degraded`: a replica keeps serving on local state; `restored`: shared again).
   */
  store: { type: 'error' | 'degraded' | 'restored'; message: string; error?: unknown };
}

// A record rather than a list, so the compiler insists on every event of RouterEvents.
const eventNames: Record<keyof RouterEvents, true> = {
  decision: true,
  attempt: true,
  fallback: true,
  hedge: true,
  circuit: true,
  probe: true,
  store: true,
};

/** A small typed emitter; a throwing listener never breaks routing. */
export class RouterEventEmitter {
  readonly #listeners = new Map<keyof RouterEvents, Set<(event: never) => void>>();

  on<E extends keyof RouterEvents>(event: E, listener: (event: RouterEvents[E]) => void): () => void {
    // The types already say this; JavaScript callers and casts get told here, since a misspelt event never fires.
    const problems: InputProblem[] = [];
    if (typeof event !== 'string' || !Object.hasOwn(eventNames, event)) {
      const named = typeof event === 'string' ? JSON.stringify(event) : `of type ${typeof event}`;
      const names = Object.keys(eventNames).map((name) => `"${name}"`);
      problems.push({ path: 'event', message: `unknown router event ${named}; expected one of ${names.join(', ')}` });
    }
    if (typeof listener !== 'function') {
      problems.push({
        path: 'listener',
        message: `expected a function, received ${listener === null ? 'null' : typeof listener}`,
      });
    }
    if (problems.length > 0) throw new InvalidConfigError({ problems });
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  has(event: keyof RouterEvents): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends keyof RouterEvents>(event: E, payload: RouterEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (event: RouterEvents[E]) => void)(payload);
      } catch {
        // Telemetry must not change routing outcomes.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
