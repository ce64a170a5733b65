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

/** The request was refused as invalid by every target tried (an adapter's own check), so by none for a passing reason. */
function refusedByEveryTarget(error: AllTargetsFailedError): InvalidRequestError | undefined {
  const { attempts } = error;
  if (attempts.length === 0 || !attempts.every((attempt) => InvalidRequestError.isInstance(attempt.error))) {
    return undefined;
  }
  return error.lastError as InvalidRequestError;
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
 * Maps anything the router throws to an HTTP answer: 400 for an invalid request (naming the field; also when every
 * target refused it as invalid, and when no target can ever take it: each excluded for a fixed reason, one at least
 * for what the request asks, such as images or a context window), 429 when a budget is spent and no other target is
 * eligible (`code: budget_exceeded`, the reason in the message), 503 when no target is eligible or available now, 504 when the deadline passed, 502 when every target failed, 500 otherwise.
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
    if (refused) return withDetail(invalidRequest(refused));
    return withDetail(httpError(502, error.message, { code: 'all_targets_failed' }));
  }
  if (ApiCallError.isInstance(error)) return withDetail(httpError(502, error.message, { code: 'upstream_error' }));
  if (error.code === 'connection' || error.code === 'invalid-response') {
    return withDetail(httpError(502, error.message, { code: 'upstream_error' }));
  }
  if (error.code === 'abort') return withDetail(httpError(499, error.message, { code: 'aborted' }));
  return withDetail(httpError(500, error.message, { code: error.code.replaceAll('-', '_') }));
}
