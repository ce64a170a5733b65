import { randomBytes } from 'node:crypto';
import type { FinishReason, ToolCall, Usage } from '@switchyard/contract';

/** OpenAI's finish reasons; an aborted or failed generation that still produced an answer reads as `stop`. */
export function toOpenAIFinishReason(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function toOpenAIToolCall(call: ToolCall) {
  return { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } };
}

export function toOpenAIUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

let sequence = 0;
// Encoded once per process: a double's base-36 form cost more than the rest of the id. The random part keeps replicas
// started in the same millisecond (a cluster, a scaled deployment) from handing out the same ids.
const idPrefix = `chatcmpl-sy${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

/** A response id in OpenAI's style: a per-process prefix (start time + 32 random bits) and a sequence; no randomness per request. */
export function createCompletionId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${idPrefix}${sequence.toString(36)}`;
}

/** The `error` object OpenAI clients parse: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    /** Switchyard's own detail: the stable error code and, for routing failures, each target and its reason. */
    switchyard?: Record<string, unknown>;
  };
}

export function openAIError(
  message: string,
  options: { type?: string; param?: string | null; code?: string | null; switchyard?: Record<string, unknown> } = {},
): OpenAIErrorBody {
  return {
    error: {
      message,
      type: options.type ?? 'invalid_request_error',
      param: options.param ?? null,
      code: options.code ?? null,
      ...(options.switchyard ? { switchyard: options.switchyard } : {}),
    },
  };
}
