import { longestTimerMs } from './longest-timer.js';
import type { GenerateRequest, TargetCall } from './request.js';

// The zod-free fast path of parseRequest / parseTargetCall. zod/mini (chosen for the browser bundle) spends 1.5–2 µs
// on an ordinary request and returns a deep copy of it; almost every request is the ordinary shape: text messages, a
// few sampling fields, maybe routing hints and a signal. These checks accept only input that the zod schema accepts
// and returns equal to it, key for key, so the input itself can be returned: plain objects holding only keys of the
// schema (zod would strip any other key, so its output would differ) with valid values. Everything else answers
// `false`, valid or not (tools, tool choice, response formats, content parts, trace context, unknown keys, class
// instances): those go through zod, which accepts them or names the problem. So `false` is never a verdict and errors
// stay zod's. ordinary-request.test.ts proves it on generated input.

// zod returns plain objects: anything else (class instances, null-prototype objects) differs from its output.
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const isNonEmptyStrings = (value: unknown, max: number): boolean => {
  if (!Array.isArray(value) || value.length > max) return false;
  for (let index = 0; index < value.length; index += 1) if (!isNonEmptyString(value[index])) return false;
  return true;
};
// z.number() rejects NaN and ±Infinity; z.int() wants a safe integer.
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isToolCall(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let keys = 0;
  for (const _ in value) keys += 1;
  return (
    keys === 3 && isNonEmptyString(value.id) && isNonEmptyString(value.name) && typeof value.arguments === 'string'
  );
}

function isOrdinaryMessage(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    // Keys of the message's own schema only; an optional key holding `undefined` is kept by zod too.
    switch (key) {
      case 'role':
      case 'content':
        break;
      case 'toolCalls':
        if (value.role !== 'assistant') return false;
        break;
      case 'toolCallId':
        if (value.role !== 'tool') return false;
        break;
      default:
        return false;
    }
  }
  if (typeof value.content !== 'string') return false;
  switch (value.role) {
    case 'system':
    case 'user':
      return true;
    case 'assistant': {
      const toolCalls = value.toolCalls;
      if (toolCalls === undefined) return true;
      if (!Array.isArray(toolCalls)) return false;
      for (let index = 0; index < toolCalls.length; index += 1) if (!isToolCall(toolCalls[index])) return false;
      return true;
    }
    case 'tool':
      return isNonEmptyString(value.toolCallId);
    default:
      return false;
  }
}

function isOrdinaryRouting(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const field = value[key];
    if (field === undefined) {
      if (!routingKeys.has(key)) return false;
      continue;
    }
    switch (key) {
      case 'privacy':
        if (field !== 'standard' && field !== 'private') return false;
        break;
      case 'deadlineMs':
        if (!(Number.isSafeInteger(field) && (field as number) > 0 && (field as number) <= longestTimerMs))
          return false;
        break;
      case 'priority':
        if (!Number.isSafeInteger(field)) return false;
        break;
      case 'tags':
        if (!isNonEmptyStrings(field, Number.POSITIVE_INFINITY)) return false;
        break;
      case 'maxCostUsd':
        if (!(isNumber(field) && field >= 0)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const routingKeys = new Set(['privacy', 'deadlineMs', 'priority', 'tags', 'maxCostUsd']);

/** The generation fields both shapes share; `extra` judges the one key that differs (`routing` or `assistantPrefix`). */
function isOrdinaryFields(input: unknown, extra: 'routing' | 'assistantPrefix'): boolean {
  if (!isPlainObject(input)) return false;
  const messages = input.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (let index = 0; index < messages.length; index += 1) if (!isOrdinaryMessage(messages[index])) return false;
  for (const key in input) {
    const value = input[key];
    switch (key) {
      case 'messages':
        break;
      case 'maxTokens':
        if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) return false;
        break;
      case 'temperature':
        if (value !== undefined && !(isNumber(value) && value >= 0 && value <= 2)) return false;
        break;
      case 'topP':
        if (value !== undefined && !(isNumber(value) && value > 0 && value <= 1)) return false;
        break;
      case 'stop':
        if (value !== undefined && !isNonEmptyStrings(value, 16)) return false;
        break;
      case 'seed':
        if (value !== undefined && !Number.isSafeInteger(value)) return false;
        break;
      case 'signal':
        if (value !== undefined && !(typeof AbortSignal !== 'undefined' && value instanceof AbortSignal)) return false;
        break;
      default:
        if (key !== extra) return false;
        if (extra === 'routing' ? !isOrdinaryRouting(value) : value !== undefined && typeof value !== 'string') {
          return false;
        }
    }
  }
  return true;
}

/**
 * True when `input` is an ordinary router request that `generateRequestSchema` accepts and returns equal to it (so
 * it needs no copy): text messages (and assistant tool calls, tool results), sampling fields, a signal, routing hints.
 * `false` is no verdict: tools, `toolChoice`, `responseFormat`, content-part arrays, unknown keys and anything invalid
 * are left to zod.
 */
export function isOrdinaryRequest(input: unknown): input is GenerateRequest {
  return isOrdinaryFields(input, 'routing');
}

/** The same for a call to one target (`targetCallSchema`), with `assistantPrefix`; `traceContext` is left to zod. */
export function isOrdinaryTargetCall(input: unknown): input is TargetCall {
  return isOrdinaryFields(input, 'assistantPrefix');
}
