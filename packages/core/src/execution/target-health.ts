import type { Locality, Target, TargetStatus } from '@switchyard/contract';
import type PQueue from 'p-queue';
import type { CircuitBreaker, CircuitState } from './circuit-breaker.js';

/** Live per-target figures, as returned by `router.stats()`. */
export interface TargetStats {
  locality: Locality;
  /**
   * Exponentially weighted time to first token, measured from the call (queue wait excluded). A whole answer
   * (`router.generate()` on a target that declares `wholeAnswers`) has no first token: it adds its duration less the
   * output's decode time at `tokensPerSecondEwma` (or the expected rate), see `TargetHealth.recordWholeAnswer`.
   */
  ttftMsEwma?: number;
  tokensPerSecondEwma?: number;
  /** Exponentially weighted failure rate, 0..1 (aborts do not count). */
  errorRate: number;
  /** Requests waiting in this target's queue (local targets). */
  queueDepth: number;
  inFlight: number;
  circuit: CircuitState;
  requests: number;
  failures: number;
  spentUsd: number;
}

/** Weight of the newest sample in the moving averages. */
export const ewmaAlpha = 0.2;

function ewma(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + ewmaAlpha * (sample - previous);
}

/** Everything the router tracks about one named target. */
export class TargetHealth {
  ttftMsEwma: number | undefined;
  tokensPerSecondEwma: number | undefined;
  errorRate = 0;
  inFlight = 0;
  requests = 0;
  failures = 0;
  spentUsd = 0;
  /**
   * Set while a local target has no queue because p-queue could not be loaded (core's browser build loads it on
   * demand): the decision reads the target as unavailable, for this reason, instead of running it unqueued.
   */
  queueProblem: TargetStatus | undefined;

  constructor(
    readonly name: string,
    readonly target: Target,
    readonly index: number,
    readonly circuit: CircuitBreaker,
    public queue: PQueue | undefined,
    public concurrency: number,
  ) {}

  get queueDepth(): number {
    return this.queue?.size ?? 0;
  }

  recordTtft(ms: number): void {
    this.ttftMsEwma = ewma(this.ttftMsEwma, ms);
  }

  /**
   * Learns from a whole answer, which has no first token to time: its duration is TTFT + decode, and the planner
   * predicts it as `ttft + outputTokens / tokensPerSecond`, so the time left after decoding the output at the rate the
   * planner expects (`expectedTokensPerSecond`: measured, configured or the prior) is recorded as a TTFT sample (never
   * below 0). The planner's estimate for an answer of that length then follows the measured durations, so a slow
   * target loses its rank to a fast one, and a fast one's long answers are not counted as waiting time (its whole
   * duration as TTFT would add the decode twice). The rate itself is not learned: one duration cannot be split into
   * two unknowns; streamed answers still measure it.
   */
  recordWholeAnswer(durationMs: number, outputTokens: number, tokensPerSecond: number): void {
    this.recordTtft(Math.max(0, durationMs - (outputTokens / tokensPerSecond) * 1000));
  }

  recordSuccess(tokensPerSecond: number | undefined): void {
    this.errorRate = ewma(this.errorRate, 0);
    if (tokensPerSecond !== undefined && Number.isFinite(tokensPerSecond) && tokensPerSecond > 0) {
      this.tokensPerSecondEwma = ewma(this.tokensPerSecondEwma, tokensPerSecond);
    }
  }

  recordFailure(): void {
    this.failures += 1;
    this.errorRate = ewma(this.errorRate, 1);
  }

  snapshot(now: number): TargetStats {
    return {
      locality: this.target.locality,
      ttftMsEwma: this.ttftMsEwma,
      tokensPerSecondEwma: this.tokensPerSecondEwma,
      errorRate: this.errorRate,
      queueDepth: this.queueDepth,
      inFlight: this.inFlight,
      circuit: this.circuit.stateAt(now),
      requests: this.requests,
      failures: this.failures,
      spentUsd: this.spentUsd,
    };
  }
}
