import type { Usage } from '@switchyard/contract';

/**
 * The usage to report from a runtime's two token counts: both when both were given (whole numbers, 0 or more), else
 * none, so the router charges its estimate rather than a count read as 0 (see the contract's `Usage`). Takes whatever
 * the runtime's JSON held, so a missing, `null` or malformed count is "not given".
 *
 * @example
 * ```ts
 * const usage = reportedUsage(body.usage?.prompt_tokens, body.usage?.completion_tokens);
 * return { text, toolCalls, finishReason, ...(usage && { usage }) };
 * ```
 */
export function reportedUsage(inputTokens: unknown, outputTokens: unknown): Usage | undefined {
  if (!isCount(inputTokens) || !isCount(outputTokens)) return undefined;
  return { inputTokens, outputTokens };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
