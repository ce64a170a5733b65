import type { FinishReason, GenerateResult, StreamPart, ToolCall, Usage } from '@switchyard/contract';
import { finishReasons, InvalidResponseError } from '@switchyard/contract';

// What a target hands the router is checked where it enters: adapters written in JavaScript, or wrapping another SDK,
// are not held to the contract's types, and what slips through lands in budgets and answers. A NaN or negative count
// made the period budget stop binding (NaN compares false; a negative cost gives money back); a missing `toolCalls`
// or a `null` part surfaced as "Internal error: Cannot read properties of undefined". The checks are a few `typeof`s
// per part: no zod on the hot path.

const knownFinishReasons: ReadonlySet<unknown> = new Set<FinishReason>(finishReasons);
const finishReasonList = finishReasons.join(', ');

/**
 * Whether a target's usage is one the router can charge: both counts whole numbers ≥ 0. Anything else (NaN, a
 * negative or fractional count, a string, a missing count) is treated as not reported, so the router charges its
 * estimate and marks the answer's usage as estimated, as for a server that sends no counts.
 */
export function isChargeableUsage(usage: Usage | undefined): usage is Usage {
  return (
    typeof usage === 'object' &&
    usage !== null &&
    Number.isSafeInteger(usage.inputTokens) &&
    Number.isSafeInteger(usage.outputTokens) &&
    usage.inputTokens >= 0 &&
    usage.outputTokens >= 0
  );
}

function isToolCall(toolCall: ToolCall | undefined): boolean {
  return (
    typeof toolCall === 'object' &&
    toolCall !== null &&
    typeof toolCall.id === 'string' &&
    toolCall.id !== '' &&
    typeof toolCall.name === 'string' &&
    toolCall.name !== '' &&
    typeof toolCall.arguments === 'string'
  );
}

function broken(target: string, what: string): InvalidResponseError {
  return new InvalidResponseError({
    message: `Target "${target}" broke the adapter contract: ${what}. This is a bug in its adapter`,
    target,
  });
}

/**
 * Throws `InvalidResponseError` naming the field when a part a target streamed breaks the contract (not an object,
 * a `text-delta` without string `text`, a `tool-call` without `{ id, name, arguments }` strings, a `finish` with an
 * unknown reason). A `usage` part is checked when booked ({@link isChargeableUsage}); part types the router does not
 * know pass, as the contract tells consumers to ignore them.
 */
export function checkPart(part: StreamPart, target: string): void {
  if (typeof part !== 'object' || part === null) {
    throw broken(target, `its stream yielded ${part === null ? 'null' : `a ${typeof part}`}, expected a part object`);
  }
  switch (part.type) {
    case 'text-delta':
      if (typeof part.text !== 'string') throw broken(target, 'a text-delta part without a string `text`');
      return;
    case 'tool-call':
      if (!isToolCall(part.toolCall)) {
        throw broken(target, 'a tool-call part whose `toolCall` is not { id, name, arguments } (non-empty strings)');
      }
      return;
    case 'finish':
      if (!knownFinishReasons.has(part.finishReason)) {
        throw broken(target, `a finish part with an unknown \`finishReason\`; expected one of ${finishReasonList}`);
      }
      return;
    default:
      return;
  }
}

/** Throws `InvalidResponseError` naming the field when a whole answer (`target.generate()`) breaks the contract. */
export function checkWholeAnswer(result: GenerateResult, target: string): void {
  if (typeof result !== 'object' || result === null) {
    throw broken(
      target,
      `generate() resolved to ${result === null ? 'null' : `a ${typeof result}`}, expected an answer`,
    );
  }
  if (typeof result.text !== 'string') throw broken(target, 'an answer without a string `text` ("" for none)');
  if (!Array.isArray(result.toolCalls))
    throw broken(target, 'an answer whose `toolCalls` is not an array ([] for none)');
  for (const toolCall of result.toolCalls) {
    if (!isToolCall(toolCall)) {
      throw broken(target, 'an answer with a tool call that is not { id, name, arguments } (non-empty strings)');
    }
  }
  if (!knownFinishReasons.has(result.finishReason)) {
    throw broken(target, `an answer with an unknown \`finishReason\`; expected one of ${finishReasonList}`);
  }
}
