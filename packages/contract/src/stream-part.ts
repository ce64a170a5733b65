import type { ToolCall } from './request.js';
import type { FinishReason, Usage } from './result.js';

/** A piece of generated text. Concatenating every `text-delta` of a stream gives the full text. */
export interface TextDeltaPart {
  type: 'text-delta';
  text: string;
}

/** A complete tool call; emitted once, after its arguments are fully assembled. */
export interface ToolCallPart {
  type: 'tool-call';
  toolCall: ToolCall;
}

/**
 * Token usage as the target counted it; emitted at most once, before `finish`, and only with both counts (see
 * `Usage`). A stream without one is fine: the router then charges its own estimate.
 */
export interface UsagePart {
  type: 'usage';
  usage: Usage;
}

/** The last part of every successful stream, emitted exactly once. */
export interface FinishPart {
  type: 'finish';
  finishReason: FinishReason;
}

/**
 * What a target's stream yields. The router adds its own parts (such as `route`) on top of these, so consumers
 * should ignore part types they do not know.
 */
export type StreamPart = TextDeltaPart | ToolCallPart | UsagePart | FinishPart;
