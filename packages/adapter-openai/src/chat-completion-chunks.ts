import { completeToolCall, reportedUsage } from '@switchyard/adapter-utils';
import {
  ApiCallError,
  type FinishReason,
  InvalidResponseError,
  type StreamPart,
  type ToolCall,
  type Usage,
} from '@switchyard/contract';
import { mapFinishReason } from './map-finish-reason.js';

/** The parts of an OpenAI chat completion chunk this adapter reads; everything else is ignored. */
interface ChunkToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface Chunk {
  choices?: {
    delta?: { content?: string | null; tool_calls?: ChunkToolCallDelta[] | null };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null } | null;
  error?: { message?: string; code?: number | string } | string;
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A tool call with an id (servers that omit one get `call_<index>`, stable across a retry) and `{}` for empty arguments. */
export function completeIndexedToolCall(
  call: { id?: string | undefined; name?: string | undefined; arguments?: string | undefined },
  index: number,
): ToolCall {
  return completeToolCall(call, () => `call_${index}`);
}

/**
 * `prompt_tokens` / `completion_tokens` → contract usage, or none when the server left either out (several servers
 * omit usage, or send it on streams only when asked): the router then charges its estimate, where reading a missing
 * count as 0 made the call free and let a budget never bind.
 */
export function toUsage(
  usage: { prompt_tokens?: number | null; completion_tokens?: number | null } | null | undefined,
): Usage | undefined {
  return reportedUsage(usage?.prompt_tokens, usage?.completion_tokens);
}

/**
 * Turns the `data:` payloads of a `/chat/completions` stream into contract stream parts: text deltas as they come, tool
 * calls once their argument deltas are assembled, then usage and finish. Holds only what it must between chunks.
 */
export class ChunkAssembler {
  private readonly toolCalls: PartialToolCall[] = [];
  private lastToolIndex = -1;
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;
  /** Whether `[DONE]` arrived; the stream must not be read any further after it. */
  done = false;
  /** Whether any token (text, tool-call delta or finish) arrived; ends the first-token timer. */
  sawToken = false;

  constructor(
    private readonly target: string,
    private readonly url: string,
  ) {}

  /** Handles one SSE `data` payload, appending text deltas to `out`. */
  accept(data: string, out: StreamPart[]): void {
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch (cause) {
      throw new InvalidResponseError({
        message: `Malformed SSE data from "${this.url}": not JSON (${data.slice(0, 60)})`,
        target: this.target,
        cause,
      });
    }
    if (chunk.error !== undefined) throw this.streamError(chunk.error);
    // A later chunk with counts wins; one without them (some servers send `usage: null` on every chunk) keeps them.
    if (chunk.usage) this.usage = toUsage(chunk.usage) ?? this.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta) {
      if (typeof delta.content === 'string' && delta.content !== '') {
        this.sawToken = true;
        out.push({ type: 'text-delta', text: delta.content });
      }
      if (delta.tool_calls) {
        this.sawToken = true;
        for (const toolDelta of delta.tool_calls) this.acceptToolDelta(toolDelta);
      }
    }
    if (choice.finish_reason) {
      this.sawToken = true;
      this.finishReason = mapFinishReason(choice.finish_reason);
    }
  }

  /**
   * The closing parts: assembled tool calls, usage, finish. Throws a retryable `InvalidResponseError` when the stream
   * ended without `[DONE]` or without a finish reason, so a truncated answer never passes as a success.
   */
  finish(out: StreamPart[]): void {
    if (!this.done || this.finishReason === undefined) {
      const missing = this.done ? 'a finish_reason' : '[DONE]';
      throw new InvalidResponseError({
        message: `The stream from "${this.url}" ended without ${missing}: the answer is incomplete`,
        target: this.target,
      });
    }
    // forEach skips holes, should a server skip an index.
    this.toolCalls.forEach((call, index) => {
      out.push({ type: 'tool-call', toolCall: completeIndexedToolCall(call, index) });
    });
    if (this.usage) out.push({ type: 'usage', usage: this.usage });
    // Some servers answer tool calls with finish_reason "stop"; the calls are what the caller must act on.
    const reason = this.toolCalls.length > 0 && this.finishReason === 'stop' ? 'tool-calls' : this.finishReason;
    out.push({ type: 'finish', finishReason: reason });
  }

  private acceptToolDelta(delta: ChunkToolCallDelta): void {
    // `index` is the spec'd key; a few servers omit it and start each call with an `id` instead.
    let index = delta.index;
    if (index === undefined)
      index = delta.id !== undefined || this.lastToolIndex < 0 ? this.lastToolIndex + 1 : this.lastToolIndex;
    this.lastToolIndex = Math.max(this.lastToolIndex, index);
    let call = this.toolCalls[index];
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.toolCalls[index] = call;
    }
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name += delta.function.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
  }

  private streamError(error: NonNullable<Chunk['error']>): ApiCallError {
    const message = typeof error === 'string' ? error : (error.message ?? 'error event in stream');
    const code = typeof error === 'object' ? Number(error.code) : Number.NaN;
    return new ApiCallError({
      url: this.url,
      status: Number.isInteger(code) && code >= 400 && code < 600 ? code : 500,
      detail: `in stream: ${message.slice(0, 200)}`,
      target: this.target,
    });
  }
}
