import type { TargetCall } from '@switchyard/contract';
import type { TritonBackend } from './triton-settings.js';

/**
 * The generate request body for one backend. The generate extension passes top-level fields to the model as input
 * tensors (or parameters when no input has that name) and `parameters` as request parameters:
 * - vLLM reads sampling parameters (`max_tokens`, `temperature`, `top_p`, `seed`, ...) from `parameters` and takes
 *   `stream`, `exclude_input_in_output` and the `return_*` switches of its additional outputs as tensors.
 * - TensorRT-LLM's ensemble takes everything as tensors: `max_tokens` (required), `temperature`, `top_p`, `top_k`,
 *   `random_seed`, `stop_words`, `stream`, `exclude_input_in_output`.
 */
export function toGenerateBody(options: {
  call: TargetCall;
  prompt: string;
  backend: TritonBackend;
  stream: boolean;
  maxTokens: number;
  parameters: Record<string, string | number | boolean> | undefined;
}): Record<string, unknown> {
  const { call } = options;
  if (options.backend === 'vllm') {
    const parameters: Record<string, string | number | boolean> = {
      ...options.parameters,
      max_tokens: options.maxTokens,
    };
    if (call.temperature !== undefined) parameters.temperature = call.temperature;
    if (call.topP !== undefined) parameters.top_p = call.topP;
    if (call.seed !== undefined) parameters.seed = call.seed;
    return {
      text_input: options.prompt,
      stream: options.stream,
      // Without this, vLLM's non-streamed answer starts with the prompt itself.
      exclude_input_in_output: true,
      return_finish_reason: true,
      return_num_input_tokens: true,
      return_num_output_tokens: true,
      parameters,
    };
  }
  const body: Record<string, unknown> = {
    ...options.parameters,
    text_input: options.prompt,
    max_tokens: options.maxTokens,
    stream: options.stream,
    exclude_input_in_output: true,
  };
  // TensorRT-LLM samples greedily with top_k 1; a temperature of 0 is not a valid sampling temperature there.
  if (call.temperature === 0) body.top_k = 1;
  else if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.top_p = call.topP;
  if (call.seed !== undefined) body.random_seed = call.seed;
  if (call.stop !== undefined) body.stop_words = call.stop;
  return body;
}
