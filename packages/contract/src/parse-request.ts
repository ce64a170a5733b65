import type * as z from 'zod/mini';
import { englishIssueMessage } from './english-issue-message.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { zodIssuesToProblems } from './format-problems.js';
import { isOrdinaryRequest, isOrdinaryTargetCall } from './ordinary-request.js';
import type { GenerateRequest, TargetCall } from './request.js';
import { generateRequestSchema, targetCallSchema } from './request-schema.js';

function parseWith<T>(schema: z.ZodMiniType<T>, input: unknown, target?: string): T {
  const result = schema.safeParse(input, { error: englishIssueMessage });
  if (result.success) return result.data;
  throw new InvalidRequestError({ problems: zodIssuesToProblems(result.error.issues), target });
}

/**
 * Validates a router request. Throws `InvalidRequestError` whose `problems` name each bad field, for example
 * `messages[2].role: expected one of "system", "user", "assistant", "tool"`.
 *
 * An ordinary request (plain objects with only the schema's keys: text messages, sampling fields, routing hints) is
 * checked without zod and returned as it is, not copied; anything else is zod's cleaned copy (unknown keys dropped).
 * Either way, treat the result as read-only.
 *
 * @example
 * ```ts
 * const request = parseRequest({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 32 });
 * ```
 */
export function parseRequest(input: unknown): GenerateRequest {
  if (isOrdinaryRequest(input)) return input;
  return parseWith(generateRequestSchema, input);
}

/** Returns the object it is given, so a subclass's private field is stamped onto any object (see `ValidatedMark`). */
class ReturnsItsArgument {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: `new ValidatedMark(call)` marks `call` itself.
    return target;
  }
}

/**
 * Marks calls built from an already validated request (see {@link markValidatedCall}) with a private field: a
 * WeakSet entry per call cost more than the rest of the router's per-attempt bookkeeping (bench row 1 profile), and a
 * private field is invisible to keys, JSON and equality checks. Objects that cannot take one (frozen, sealed) go to
 * the WeakSet.
 */
class ValidatedMark extends ReturnsItsArgument {
  #validated = true;
  static has(value: object): boolean {
    return #validated in value;
  }
}
const validatedFrozenCalls = new WeakSet<object>();

/**
 * Validates a call to one target; adapters call it first thing so every target rejects bad input the same way.
 * A call marked with {@link markValidatedCall} is returned as is: the router validated the request it came from. So
 * is an ordinary call (as for {@link parseRequest}); anything else is zod's cleaned copy.
 */
export function parseTargetCall(input: unknown, target?: string): TargetCall {
  if (typeof input === 'object' && input !== null && (ValidatedMark.has(input) || validatedFrozenCalls.has(input))) {
    return input as TargetCall;
  }
  if (isOrdinaryTargetCall(input)) return input;
  return parseWith(targetCallSchema, input, target);
}

/**
 * Marks a call built from a request that {@link parseRequest} accepted, so `parseTargetCall` does not validate it a
 * second time on the hot path. For routers and wrappers that validated first; never mark unvalidated input.
 *
 * @example
 * ```ts
 * const request = parseRequest(input);
 * const { routing, ...fields } = request;
 * await target.generate(markValidatedCall({ ...fields }));
 * ```
 */
export function markValidatedCall<T extends TargetCall>(call: T): T {
  if (!Object.isExtensible(call)) validatedFrozenCalls.add(call);
  else if (!ValidatedMark.has(call)) new ValidatedMark(call);
  return call;
}
