import type { FinishReason } from '@switchyard/contract';

/**
 * OpenAI `finish_reason` → contract `FinishReason`. Vendor variants (TGI's `eos_token`, `stop_sequence`) count as `stop`,
 * and so does anything unknown: the server did end the answer on purpose.
 */
export function mapFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'abort':
      return 'abort';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}
