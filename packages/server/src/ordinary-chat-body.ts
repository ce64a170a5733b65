import { longestTimerMs } from '@switchyard/contract';
import type { ChatCompletionBody } from './openai-request.js';

// The gateway's zod-free fast path. Under load, validating every chat body with zod's object/union machinery costs
// more than the rest of the request parsing; almost every body is the ordinary shape (text messages, a few sampling
// fields, maybe routing hints). This check accepts only bodies that the zod schema certainly accepts unchanged in
// every field the gateway reads, and answers `false` for anything else, valid or not: those go through zod, which
// then either accepts them or explains the error. So errors stay exactly zod's, and `false` is never a verdict.
// openai-request.test.ts proves on generated bodies that whatever this accepts, zod accepts and translates the same.

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isPositiveIntOrNull(value: unknown): boolean {
  return value === undefined || value === null || (isInt(value) && value > 0);
}

function isOrdinaryMessage(value: unknown): boolean {
  if (!isObject(value)) return false;
  const content = value.content;
  switch (value.role) {
    case 'system':
    case 'developer':
    case 'user':
      return typeof content === 'string';
    case 'assistant':
      return (
        value.tool_calls === undefined && (content === undefined || content === null || typeof content === 'string')
      );
    case 'tool':
      return typeof content === 'string' && isNonEmptyString(value.tool_call_id);
    default:
      return false;
  }
}

/** Fields refused unless they hold their no-op value, and `parallel_tool_calls`: left to zod, which explains them. */
export const checkedByZod = [
  'parallel_tool_calls',
  'logprobs',
  'top_logprobs',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'modalities',
  'audio',
  'web_search_options',
  'functions',
  'function_call',
  'grammar',
  'json_schema',
  'guided_json',
  'guided_choice',
  'guided_regex',
  'guided_grammar',
] as const;

const hintKeys = new Set(['privacy', 'deadlineMs', 'priority', 'tags', 'maxCostUsd']);

function isOrdinaryHints(value: unknown): boolean {
  if (!isObject(value)) return false;
  // zod's strictObject: an unknown key is an error, so leave it to zod to name.
  for (const key in value) if (!hintKeys.has(key)) return false;
  const { privacy, deadlineMs, priority, tags, maxCostUsd } = value;
  if (privacy !== undefined && privacy !== 'standard' && privacy !== 'private') return false;
  if (deadlineMs !== undefined && !(isInt(deadlineMs) && deadlineMs > 0 && deadlineMs <= longestTimerMs)) return false;
  if (priority !== undefined && !isInt(priority)) return false;
  if (maxCostUsd !== undefined && !(isNumber(maxCostUsd) && maxCostUsd >= 0)) return false;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every(isNonEmptyString))) return false;
  return true;
}

/**
 * True when `input` is an ordinary chat-completions body that `chatCompletionBodySchema` accepts as it is: text
 * messages, sampling fields, `stream`/`stream_options`, routing hints. Tools, `tool_choice`, `response_format`,
 * content-part arrays and the fields refused unless they hold their no-op value (`logprobs`, penalties…) are left to
 * zod (`false`), as is anything invalid.
 */
export function isOrdinaryChatBody(input: unknown): input is ChatCompletionBody {
  if (!isObject(input)) return false;
  const { model, messages, stop, stream_options: streamOptions } = input;
  if (model !== undefined && !isNonEmptyString(model)) return false;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isOrdinaryMessage(message)) return false;
  if (!isPositiveIntOrNull(input.max_tokens) || !isPositiveIntOrNull(input.max_completion_tokens)) return false;
  const { temperature, top_p: topP, seed, n, stream } = input;
  if (temperature != null && !(isNumber(temperature) && temperature >= 0 && temperature <= 2)) return false;
  if (topP != null && !(isNumber(topP) && topP > 0 && topP <= 1)) return false;
  if (seed != null && !isInt(seed)) return false;
  if (n != null && n !== 1) return false;
  if (stream != null && typeof stream !== 'boolean') return false;
  if (streamOptions != null) {
    if (!isObject(streamOptions)) return false;
    const includeUsage = streamOptions.include_usage;
    if (includeUsage !== undefined && typeof includeUsage !== 'boolean') return false;
  }
  if (stop != null && !isNonEmptyString(stop)) {
    if (!Array.isArray(stop) || stop.length > 16 || !stop.every(isNonEmptyString)) return false;
  }
  if (input.tools !== undefined || input.tool_choice !== undefined || input.response_format !== undefined) return false;
  for (const field of checkedByZod) if (input[field] !== undefined) return false;
  return input.switchyard === undefined || isOrdinaryHints(input.switchyard);
}
