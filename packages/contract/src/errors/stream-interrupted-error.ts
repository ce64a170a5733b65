import type { FailedAttempt } from './all-targets-failed-error.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.stream-interrupted');

/** What {@link StreamInterruptedError} is built from. */
export interface StreamInterruptedErrorOptions<TRoute = unknown> {
  /** The text already delivered to the consumer before the stream broke. */
  partialText: string;
  /** Every failed attempt, in order; the last one is the failure that ended the stream. */
  attempts: FailedAttempt[];
  /** The router's account of the request (plan, attempts, timings); `@switchyard/core` passes its `RouteSummary`. */
  route?: TRoute;
  /** Targets left out because they cannot continue a partial answer. */
  skipped?: string[];
  /** Why the stream was not carried on: no target could continue it, or the policy forbids failing over mid-stream. */
  reason: 'no-continuation' | 'mid-stream-error';
  message?: string;
}

/**
 * A stream failed after text had been delivered, and the router did not fail over because that would have sent text
 * twice: no target left in the plan can continue the partial answer (`reason: 'no-continuation'`), or the policy says
 * `execution.midStream: 'error'` (`reason: 'mid-stream-error'`). `partialText` is exactly what the consumer received;
 * keep it, show it as cut off, or ask again. Nothing after it was sent. Restarting visibly is the opt-in
 * `execution.midStream: 'restart'`.
 *
 * The message and `toJSON()` never contain the partial text (model output may hold personal data), only its length.
 *
 * @example
 * ```ts
 * try {
 *   for await (const part of router.stream(request)) if (part.type === 'text-delta') process.stdout.write(part.text);
 * } catch (error) {
 *   if (StreamInterruptedError.isInstance(error)) process.stdout.write(' [answer cut off]\n');
 *   else throw error;
 * }
 * ```
 */
export class StreamInterruptedError<TRoute = unknown> extends SwitchyardError {
  declare readonly [marker]: true;
  readonly partialText: string;
  readonly attempts: FailedAttempt[];
  readonly route: TRoute | undefined;
  readonly skipped: string[];
  readonly reason: StreamInterruptedErrorOptions['reason'];

  constructor(options: StreamInterruptedErrorOptions<TRoute>) {
    const last = options.attempts.at(-1);
    const skipped = options.skipped ?? [];
    const why =
      options.reason === 'mid-stream-error'
        ? 'execution.midStream is "error", so the router does not fail over after the first token'
        : skipped.length > 0
          ? `no target left can continue the partial answer (${skipped.map((name) => `"${name}"`).join(', ')} cannot); set capabilities.continuation on a target that can, or execution.midStream: "restart" to start over visibly`
          : 'no target left can continue the partial answer; add a continuation-capable fallback, or set execution.midStream: "restart" to start over visibly';
    super({
      code: 'stream-interrupted',
      message:
        options.message ??
        `Stream interrupted after ${options.partialText.length} characters${last ? ` (${last.target}: ${last.error.message})` : ''}: ${why}`,
      target: last?.target,
      cause: last?.error,
    });
    this[marker] = true;
    this.name = 'StreamInterruptedError';
    this.partialText = options.partialText;
    this.attempts = options.attempts;
    this.route = options.route;
    this.skipped = skipped;
    this.reason = options.reason;
  }

  static override isInstance(error: unknown): error is StreamInterruptedError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      reason: this.reason,
      partialTextLength: this.partialText.length,
      skipped: this.skipped,
      attempts: this.attempts.map((attempt) => ({ target: attempt.target, error: attempt.error.toJSON() })),
    };
  }
}
