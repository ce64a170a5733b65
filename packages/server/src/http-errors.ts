import {
  AllTargetsFailedError,
  ApiCallError,
  BudgetExceededError,
  formatProblems,
  InvalidRequestError,
  NoEligibleTargetError,
  StreamInterruptedError,
  SwitchyardError,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import { toOpenAIFieldPath } from './openai-request.js';
import type { OpenAIErrorBody } from './openai-response.js';
import { openAIError } from './openai-response.js';

/** An error the gateway answers with: its HTTP status and OpenAI-shaped body. */
export interface HttpError {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
}

/** A problem found by the gateway itself (auth, routing, body size) rather than thrown by the router. */
export function httpError(
  status: number,
  message: string,
  options: { type?: string; code?: string; param?: string; headers?: Record<string, string> } = {},
): HttpError {
  return {
    status,
    body: openAIError(message, {
      type: options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      code: options.code ?? null,
      param: options.param ?? null,
    }),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/**
 * A header value for an error message, cut at 100 characters: browsers set `Origin` and `Host` from the page's URL,
 * but any other client can send anything, and the message should not become its echo.
 */
export function shortenedForMessage(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

/** Exclusion reasons that no wait can lift: the target's declared abilities, and the policy or caller's choice. */
const fixedReasons: ReadonlySet<string> = new Set(['capability', 'context-window', 'rule', 'mode']);
/** Fixed reasons that come from what the request asks for (images, tools, schemas, tokens). */
const requestReasons: ReadonlySet<string> = new Set(['capability', 'context-window']);

/**
 * Whether no target may ever serve this request as it was sent: each was left out for a fixed reason, and at least
 * one for what the request asks. That is the client's to change (400, as OpenAI answers an image sent to a model
 * without vision, or too many tokens), not a 503 that clients retry with the same result.
 */
function isUnservable(error: NoEligibleTargetError): boolean {
  const { excluded } = error;
  return (
    excluded.some((entry) => requestReasons.has(entry.reason)) &&
    excluded.every((entry) => fixedReasons.has(entry.reason))
  );
}

/** Upstream statuses that refuse the request itself (bad request, too large, unprocessable): a retry gets the same. */
const refusalStatuses: ReadonlySet<number> = new Set([400, 413, 422]);

/** Whether a target refused the request itself: an adapter's own check, or its upstream's 400, 413 or 422. */
function refusesRequest(error: SwitchyardError): boolean {
  return InvalidRequestError.isInstance(error) || (ApiCallError.isInstance(error) && refusalStatuses.has(error.status));
}

/**
 * The 400 for a request that each target it was sent to refused as such, or `undefined` when any failed for a passing
 * reason. Adapters' own checks name the OpenAI field; an upstream's refusal is quoted (`code: rejected_by_targets`).
 * Not a 502: the official clients retry a 5xx twice, which sent a request an upstream had refused three times.
 */
function refusedByEveryTarget(error: AllTargetsFailedError): HttpError | undefined {
  const { attempts } = error;
  if (attempts.length === 0 || !attempts.every((attempt) => refusesRequest(attempt.error))) return undefined;
  if (attempts.every((attempt) => InvalidRequestError.isInstance(attempt.error))) {
    return invalidRequest(error.lastError as InvalidRequestError);
  }
  return refusal(attempts.map((attempt) => `${attempt.target}: ${attempt.error.message}`).join('; '));
}

function refusal(reasons: string): HttpError {
  return httpError(400, `The request was refused where it was sent (${reasons}); change it: a retry gets the same`, {
    code: 'rejected_by_targets',
  });
}

function invalidRequest(error: InvalidRequestError): HttpError {
  const renamed = error.problems.map((problem) => ({ ...problem, path: toOpenAIFieldPath(problem.path) }));
  const first = renamed[0];
  return httpError(400, `Invalid request: ${formatProblems(renamed)}`, {
    code: 'invalid_value',
    ...(first?.path ? { param: first.path } : {}),
  });
}

function isTimeout(error: SwitchyardError): boolean {
  if (TimeoutError.isInstance(error)) return true;
  return AllTargetsFailedError.isInstance(error) && error.lastError !== undefined && isTimeout(error.lastError);
}

/**
 * Maps anything the router throws to an HTTP answer: 400 for an invalid request (naming the field; also when each
 * target it was sent to refused it, by its adapter's check or its upstream's 400, 413 or 422, and when no target can
 * ever take it: each excluded for a fixed reason, one at least for what the request asks, such as images or a context
 * window), 429 when a budget is spent and no other target is eligible (`code: budget_exceeded`, the reason in the
 * message), 503 when no target is eligible or available now, 504 when the deadline passed, 502 when every target
 * failed, 500 otherwise.
 * `deadlineExpired` is set when the gateway's own deadline timer aborted the request.
 */
export function toHttpError(error: unknown, options: { deadlineExpired?: boolean } = {}): HttpError {
  if (options.deadlineExpired) {
    return httpError(504, 'The request deadline (switchyard.deadlineMs) passed before an answer was complete', {
      code: 'deadline_exceeded',
    });
  }
  if (!SwitchyardError.isInstance(error)) {
    return httpError(500, 'Internal error in the Switchyard gateway', { code: 'internal' });
  }
  const detail = error.toJSON();
  const withDetail = (result: HttpError): HttpError => {
    result.body.error.switchyard = detail;
    return result;
  };
  if (InvalidRequestError.isInstance(error)) return withDetail(invalidRequest(error));
  if (StreamInterruptedError.isInstance(error)) {
    return withDetail(httpError(502, error.message, { code: 'stream_interrupted' }));
  }
  if (BudgetExceededError.isInstance(error)) {
    // 429 like a provider's quota answer; no Retry-After: when the budget comes back depends on the period and policy.
    return withDetail(httpError(429, error.message, { type: 'insufficient_quota', code: 'budget_exceeded' }));
  }
  if (NoEligibleTargetError.isInstance(error)) {
    if (isUnservable(error)) {
      const fix =
        'No configured target can serve this request as sent: leave out what they lack, or ask for fewer tokens';
      return withDetail(httpError(400, `${error.message}. ${fix}`, { code: 'no_eligible_target' }));
    }
    return withDetail(httpError(503, error.message, { code: 'no_eligible_target' }));
  }
  if (isTimeout(error)) return withDetail(httpError(504, error.message, { code: 'timeout' }));
  if (TargetUnavailableError.isInstance(error)) {
    return withDetail(httpError(503, error.message, { code: 'target_unavailable' }));
  }
  if (AllTargetsFailedError.isInstance(error)) {
    const refused = refusedByEveryTarget(error);
    if (refused) return withDetail(refused);
    return withDetail(httpError(502, error.message, { code: 'all_targets_failed' }));
  }
  if (ApiCallError.isInstance(error)) {
    if (refusalStatuses.has(error.status)) return withDetail(refusal(error.message));
    return withDetail(httpError(502, error.message, { code: 'upstream_error' }));
  }
  if (error.code === 'connection' || error.code === 'invalid-response') {
    return withDetail(httpError(502, error.message, { code: 'upstream_error' }));
  }
  if (error.code === 'abort') return withDetail(httpError(499, error.message, { code: 'aborted' }));
  return withDetail(httpError(500, error.message, { code: error.code.replaceAll('-', '_') }));
}
