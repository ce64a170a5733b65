import { type FinishReason, InvalidResponseError } from '@switchyard/contract';

/** One generate response object (the `/generate` body, or one `data:` event of `/generate_stream`). */
export interface GenerateResponse {
  textOutput: string;
  /** vLLM's `finish_reason` output (`stop`, `length`, `abort`); absent, null or "None" while generating. */
  finishReason: string | undefined;
  /** vLLM's `num_input_tokens` output. */
  inputTokens: number | undefined;
  /** vLLM's `num_output_tokens` output: the tokens in this response (a delta when streaming). */
  outputTokens: number | undefined;
}

/** Tensors with one element come back as a scalar or as a one-element array, depending on the server version. */
function scalar(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function count(value: unknown): number | undefined {
  const single = scalar(value);
  return typeof single === 'number' && Number.isFinite(single) && single >= 0 ? single : undefined;
}

/**
 * Parses a response object: `{ model_name, model_version, text_output, ...other output tensors }`. Throws
 * `InvalidResponseError` for text that is not a JSON object, an object without `text_output`, or an
 * `{ "error": "..." }` object (how Triton reports a failure after the stream has started with status 200).
 */
export function parseGenerateResponse(data: string, target: string): GenerateResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    throw new InvalidResponseError({
      message: `Triton sent an event that is not JSON: ${JSON.stringify(data.slice(0, 80))}`,
      target,
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidResponseError({ message: 'Triton sent a response that is not a JSON object', target });
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.error === 'string') {
    throw new InvalidResponseError({ message: `Triton reported an error mid-stream: ${record.error}`, target });
  }
  const text = scalar(record.text_output);
  if (typeof text !== 'string') {
    throw new InvalidResponseError({
      message: 'Triton sent a response without "text_output" (is this model an LLM with a text output?)',
      target,
    });
  }
  const reason = scalar(record.finish_reason);
  return {
    textOutput: text,
    finishReason: typeof reason === 'string' && reason !== '' && reason !== 'None' ? reason : undefined,
    inputTokens: count(record.num_input_tokens),
    outputTokens: count(record.num_output_tokens),
  };
}

/** vLLM's finish reason as a contract one; `abort` means the server cancelled the sequence, which is not a success. */
export function mapFinishReason(reason: string): FinishReason {
  if (reason === 'length') return 'length';
  if (reason === 'abort') return 'error';
  return 'stop';
}

/** A rough token count (4 characters a token) for backends that do not report one; always at least 1. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
