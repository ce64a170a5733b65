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

/**
 * Tokens read and written by one call, as the target counted them. Both counts or none: a target whose runtime
 * reported only one of them (or none) reports no usage at all, never 0 for the count it was not given, and the router
 * estimates both (a half-reported figure is rare, usually a server bug, and an estimate never makes a call look free).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** The complete answer of one target. */
export interface GenerateResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /**
   * Absent when the target did not report it (its server sent no counts, or only one of them; see {@link Usage}).
   * The router then charges its estimate (input from the prompt, output from the text) and marks the answer's usage
   * as estimated, so a budget still binds. Never `{ inputTokens: 0, outputTokens: 0 }` for "unknown".
   */
  usage?: Usage;
}
