import type { FinishReason, GenerateResult, StreamPart, ToolCall, ToolChoice, Usage } from '@switchyard/contract';
import { finishReasons, InvalidResponseError } from '@switchyard/contract';

// What a target hands the router is checked where it enters: adapters written in JavaScript, or wrapping another SDK,
// are not held to the contract's types, and what slips through lands in budgets and answers. A NaN or negative count
// made the period budget stop binding (NaN compares false; a negative cost gives money back); a missing `toolCalls`
// or a `null` part surfaced as "Internal error: Cannot read properties of undefined". The checks are a few `typeof`s
// per part, no zod, and terse: this ships in the page's on-demand execution chunk (bench row 10).

const reasons: ReadonlySet<unknown> = new Set(finishReasons);
const toolCallShape = '{ id, name, arguments } (non-empty strings)';

/**
 * Whether a target's usage is one the router can charge: both counts whole numbers ≥ 0. Anything else (NaN, a
 * negative or fractional count, a string, a missing count) is treated as not reported, so the router charges its
 * estimate and marks the answer's usage as estimated, as for a server that sends no counts.
 */
export function isChargeableUsage(usage: Usage | undefined): usage is Usage {
  return (
    Number.isSafeInteger(usage?.inputTokens) &&
    Number.isSafeInteger(usage?.outputTokens) &&
    usage!.inputTokens >= 0 &&
    usage!.outputTokens >= 0
  );
}

const isToolCall = (call: ToolCall | undefined) =>
  typeof call?.id === 'string' &&
  call.id !== '' &&
  typeof call.name === 'string' &&
  call.name !== '' &&
  typeof call.arguments === 'string';

/**
 * Throws when `ok` is false: "Target "gpu" broke the adapter contract: the answer's toolCalls is undefined, expected an
 * array ([] for none)". The value is named by its kind only (it could hold anything).
 */
function demand(ok: boolean, target: string, what: string, value: unknown, expected: string): void {
  if (ok) return;
  throw new InvalidResponseError({
    message: `Target "${target}" broke the adapter contract: ${what} is ${value === null ? 'null' : typeof value}, expected ${expected}`,
    target,
  });
}

const reasonList = () => `one of ${finishReasons.join(', ')}`;

/**
 * Throws `InvalidResponseError` naming the field when a part a target streamed breaks the contract (not an object,
 * a `text-delta` without string `text`, a `tool-call` without `{ id, name, arguments }` strings, a `finish` with an
 * unknown reason). A `usage` part is checked when booked ({@link isChargeableUsage}); part types the router does not
 * know pass, as the contract tells consumers to ignore them.
 */
export function checkPart(part: StreamPart, target: string): void {
  demand(typeof part === 'object' && part !== null, target, 'a stream part', part, 'an object');
  const type = part.type;
  if (type === 'text-delta')
    demand(typeof part.text === 'string', target, 'a text-delta’s text', part.text, 'a string');
  else if (type === 'tool-call') {
    demand(isToolCall(part.toolCall), target, 'a tool-call’s toolCall', part.toolCall, toolCallShape);
  } else if (type === 'finish') {
    const reason = part.finishReason;
    if (!reasons.has(reason)) demand(false, target, 'a finish’s finishReason', reason, reasonList());
  }
}

/** Throws `InvalidResponseError` naming the field when a whole answer (`target.generate()`) breaks the contract. */
export function checkWholeAnswer(result: GenerateResult, target: string): void {
  demand(typeof result === 'object' && result !== null, target, 'the answer', result, 'an object');
  demand(typeof result.text === 'string', target, 'the answer’s text', result.text, 'a string ("" for none)');
  const calls = result.toolCalls;
  demand(Array.isArray(calls), target, 'the answer’s toolCalls', calls, 'an array ([] for none)');
  for (const call of calls) demand(isToolCall(call), target, 'a tool call in the answer', call, toolCallShape);
  if (!reasons.has(result.finishReason)) {
    demand(false, target, 'the answer’s finishReason', result.finishReason, reasonList());
  }
}

/** Whether a call of the tool `name` is one the request's `toolChoice` asks for (`required`: any; a named tool: that one). */
export function callsChosenTool(toolChoice: ToolChoice | undefined, name: string): boolean {
  return toolChoice === 'required' || (typeof toolChoice === 'object' && toolChoice.name === name);
}

/**
 * Throws `InvalidResponseError` when an answer that ended on its own (`stop` or `tool-calls`) holds no call that the
 * request's `toolChoice` demands (`required`, or a named tool), so the router fails over. A target whose model or
 * server ignores tools answers in text instead (llama-server without `--jinja` does, silently); passed on, the caller
 * would get an answer its `toolChoice` ruled out. A `length` or `content-filter` finish passes: the answer was cut off.
 */
export function checkToolChoiceMet(
  toolChoice: ToolChoice | undefined,
  finishReason: FinishReason,
  target: string,
): void {
  if (toolChoice === undefined || toolChoice === 'auto' || toolChoice === 'none') return;
  if (finishReason !== 'stop' && finishReason !== 'tool-calls') return;
  const wanted = toolChoice === 'required' ? 'a tool' : `the tool "${toolChoice.name}"`;
  throw new InvalidResponseError({
    message:
      `Target "${target}" answered without calling ${wanted}, which the request's toolChoice requires: its model or ` +
      'server may not support tool calling (llama-server needs --jinja)',
    target,
  });
}
