import type { ToolCall } from './request.js';

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'abort';

/** The finish reasons, in a stable order. */
export const finishReasons: readonly FinishReason[] = [
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'error',
  'abort',
];

/** Tokens read and written by one call, as the target counted them. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** The complete answer of one target. */
export interface GenerateResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}
