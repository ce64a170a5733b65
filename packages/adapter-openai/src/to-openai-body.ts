import type { Message, TargetCall } from '@switchyard/contract';
import type { OpenAISettings } from './openai-settings.js';

/** The settings that shape the request body, resolved once per target. */
export interface BodyOptions {
  model: string;
  maxTokensField: NonNullable<OpenAISettings['maxTokensField']>;
  defaultMaxTokens: number | undefined;
  streamUsage: boolean;
  /** Send `assistantPrefix` as a final assistant message for the server to continue. */
  continuation: boolean;
  /** Fields a continuing request adds, e.g. vLLM's `continue_final_message: true, add_generation_prompt: false`. */
  continuationBody: Record<string, unknown>;
  extraBody: Record<string, unknown> | undefined;
}

type OpenAIMessage = Record<string, unknown>;

/** Shared by every streaming body: the body is only serialized, never changed, and memory per request counts. */
const includeUsage = Object.freeze({ include_usage: true });

function toOpenAIMessage(message: Message): OpenAIMessage {
  switch (message.role) {
    // A validated system or plain-text user message is already `{ role, content }`, the OpenAI shape (the contract's
    // schema strips other keys): the body holds it as is instead of a copy per attempt, as it is only serialized.
    case 'system':
      return message;
    case 'user':
      if (typeof message.content === 'string') return message;
      return {
        role: 'user',
        content: message.content.map((part) =>
          part.type === 'text'
            ? { type: 'text', text: part.text }
            : { type: 'image_url', image_url: { url: part.url } },
        ),
      };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // Several servers reject an empty string next to tool calls but accept null.
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/** Maps a validated contract call to an OpenAI `/chat/completions` request body. */
export function toOpenAIBody(call: TargetCall, options: BodyOptions, stream: boolean): Record<string, unknown> {
  const messages = call.messages.map(toOpenAIMessage);
  const continuing = options.continuation && call.assistantPrefix !== undefined && call.assistantPrefix !== '';
  if (continuing) messages.push({ role: 'assistant', content: call.assistantPrefix });

  const body: Record<string, unknown> = { ...options.extraBody, model: options.model, messages };
  const maxTokens = call.maxTokens ?? options.defaultMaxTokens;
  if (maxTokens !== undefined) {
    if (options.maxTokensField !== 'max_completion_tokens') body.max_tokens = maxTokens;
    if (options.maxTokensField !== 'max_tokens') body.max_completion_tokens = maxTokens;
  }
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.top_p = call.topP;
  if (call.stop !== undefined) body.stop = call.stop;
  if (call.seed !== undefined) body.seed = call.seed;
  if (call.tools?.length) {
    body.tools = call.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  if (call.toolChoice !== undefined) {
    body.tool_choice =
      typeof call.toolChoice === 'string'
        ? call.toolChoice
        : { type: 'function', function: { name: call.toolChoice.name } };
  }
  if (call.responseFormat?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: call.responseFormat.name ?? 'response', schema: call.responseFormat.schema },
    };
  }
  if (continuing) Object.assign(body, options.continuationBody);
  if (stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = includeUsage;
  }
  return body;
}
