import type { z } from 'zod';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { zodIssuesToProblems } from './format-problems.js';
import type { GenerateRequest, TargetCall } from './request.js';
import { generateRequestSchema, targetCallSchema } from './request-schema.js';

function parseWith<T>(schema: z.ZodType<T>, input: unknown, target?: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidRequestError({ problems: zodIssuesToProblems(result.error.issues), target });
}

/**
 * Validates a router request. Throws `InvalidRequestError` whose `problems` name each bad field, for example
 * `messages[2].role: expected one of "system", "user", "assistant", "tool"`.
 *
 * @example
 * ```ts
 * const request = parseRequest({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 32 });
 * ```
 */
export function parseRequest(input: unknown): GenerateRequest {
  return parseWith(generateRequestSchema, input);
}

/** Validates a call to one target; adapters call it first thing so every target rejects bad input the same way. */
export function parseTargetCall(input: unknown, target?: string): TargetCall {
  return parseWith(targetCallSchema, input, target);
}
