import { type FinishReason, InvalidResponseError } from '@switchyard/contract';

/** What one `/api/chat` response object (a stream line, or the whole non-streamed body) carries. */
export interface OllamaChatChunk {
  content: string;
  /** Tool calls with their arguments serialised back to JSON text, as the contract's `ToolCall` wants. */
  toolCalls: { id: string | undefined; name: string; arguments: string }[];
  done: boolean;
  doneReason: string | undefined;
  promptEvalCount: number | undefined;
  evalCount: number | undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function invalid(message: string, target: string, cause?: unknown): InvalidResponseError {
  return new InvalidResponseError({ message: `Ollama ${message}`, target, cause });
}

/**
 * Parses one response object. Throws `InvalidResponseError` for text that is not a JSON object, for an object
 * without the documented `done` flag, and for an `{ "error": "..." }` object, which is how Ollama reports a failure
 * after the stream has started (the HTTP status is already 200 by then).
 */
export function parseChatChunk(line: string, target: string): OllamaChatChunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw invalid(`sent a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`, target, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('sent a line that is not a JSON object', target);
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.error === 'string') throw invalid(`reported an error mid-stream: ${record.error}`, target);
  if (typeof record.done !== 'boolean') throw invalid('sent an object without the boolean "done" field', target);

  const message = (typeof record.message === 'object' && record.message !== null ? record.message : {}) as Record<
    string,
    unknown
  >;
  const toolCalls: OllamaChatChunk['toolCalls'] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const raw of message.tool_calls) {
      const call = (raw ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
      const name = call.function?.name;
      if (typeof name !== 'string' || name === '') throw invalid('sent a tool call without a function name', target);
      const args = call.function?.arguments;
      toolCalls.push({
        id: typeof call.id === 'string' && call.id !== '' ? call.id : undefined,
        name,
        // Ollama sends arguments as an object; older builds and some templates send the JSON text itself.
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      });
    }
  }
  return {
    content: typeof message.content === 'string' ? message.content : '',
    toolCalls,
    done: record.done,
    doneReason: typeof record.done_reason === 'string' ? record.done_reason : undefined,
    promptEvalCount: count(record.prompt_eval_count),
    evalCount: count(record.eval_count),
  };
}

/** Ollama's `done_reason` (`stop`, `length`, `load`, `unload`) as a contract finish reason. */
export function mapDoneReason(doneReason: string | undefined, sawToolCalls: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return sawToolCalls ? 'tool-calls' : 'stop';
}
