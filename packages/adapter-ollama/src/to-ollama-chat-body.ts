import { type InputProblem, InvalidRequestError, type Message, type TargetCall } from '@switchyard/contract';

/** One message of Ollama's `/api/chat` (docs/api.md "Generate a chat completion"). */
export interface OllamaChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Base64 image data without a `data:` prefix. */
  images?: string[];
  /** Ollama takes tool-call arguments as a JSON object, not as text. */
  tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
  /** Which tool a `tool` message answers (Ollama has no call ids on the way in). */
  tool_name?: string;
}

/** The `/api/chat` request body this adapter sends. */
export interface OllamaChatBody {
  model: string;
  messages: OllamaChatMessage[];
  stream: boolean;
  tools?: { type: 'function'; function: { name: string; description?: string; parameters: Record<string, unknown> } }[];
  format?: Record<string, unknown>;
  options?: Record<string, unknown>;
  keep_alive?: string | number;
}

const dataUrl = /^data:[^;,]+;base64,(.*)$/s;

function parseArguments(text: string, path: string, problems: InputProblem[]): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  problems.push({ path, message: 'expected the JSON text of an object (Ollama takes tool arguments as an object)' });
  return {};
}

function toOllamaMessage(message: Message, index: number, toolNames: Map<string, string>, problems: InputProblem[]) {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content } satisfies OllamaChatMessage;
    case 'user': {
      if (typeof message.content === 'string')
        return { role: 'user', content: message.content } satisfies OllamaChatMessage;
      const texts: string[] = [];
      const images: string[] = [];
      message.content.forEach((part, partIndex) => {
        if (part.type === 'text') {
          texts.push(part.text);
          return;
        }
        const match = dataUrl.exec(part.url);
        if (match?.[1] !== undefined) images.push(match[1]);
        else {
          problems.push({
            path: `messages[${index}].content[${partIndex}].url`,
            message: 'expected a base64 data: URL (Ollama does not fetch images from the web)',
          });
        }
      });
      const result: OllamaChatMessage = { role: 'user', content: texts.join('\n') };
      if (images.length > 0) result.images = images;
      return result;
    }
    case 'assistant': {
      const result: OllamaChatMessage = { role: 'assistant', content: message.content };
      if (message.toolCalls && message.toolCalls.length > 0) {
        result.tool_calls = message.toolCalls.map((call, callIndex) => {
          toolNames.set(call.id, call.name);
          const path = `messages[${index}].toolCalls[${callIndex}].arguments`;
          return { function: { name: call.name, arguments: parseArguments(call.arguments, path, problems) } };
        });
      }
      return result;
    }
    case 'tool': {
      const result: OllamaChatMessage = { role: 'tool', content: message.content };
      const name = toolNames.get(message.toolCallId);
      if (name !== undefined) result.tool_name = name;
      return result;
    }
  }
}

/**
 * Maps a validated call onto an `/api/chat` body. `maxTokens` becomes `options.num_predict`; a JSON-schema
 * `responseFormat` becomes `format`; an `assistantPrefix` becomes a final assistant message, which Ollama continues
 * rather than answering anew. Throws `InvalidRequestError` for what Ollama cannot take (remote image URLs, tool
 * arguments that are not a JSON object).
 */
export function toOllamaChatBody(
  call: TargetCall,
  settings: { model: string; options?: Record<string, unknown>; keepAlive?: string | number },
  stream: boolean,
  target?: string,
): OllamaChatBody {
  const problems: InputProblem[] = [];
  const toolNames = new Map<string, string>();
  const messages = call.messages.map((message, index) => toOllamaMessage(message, index, toolNames, problems));
  if (problems.length > 0) throw new InvalidRequestError({ problems, target });
  if (call.assistantPrefix) messages.push({ role: 'assistant', content: call.assistantPrefix });

  const options: Record<string, unknown> = { ...settings.options };
  if (call.maxTokens !== undefined) options.num_predict = call.maxTokens;
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.topP !== undefined) options.top_p = call.topP;
  if (call.stop !== undefined) options.stop = call.stop;
  if (call.seed !== undefined) options.seed = call.seed;

  const body: OllamaChatBody = { model: settings.model, messages, stream };
  // Ollama has no tool_choice: "none" is honoured by not offering tools; "required" cannot be enforced.
  if (call.tools && call.tools.length > 0 && call.toolChoice !== 'none') {
    body.tools = call.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  if (call.responseFormat?.type === 'json_schema') body.format = call.responseFormat.schema;
  if (Object.keys(options).length > 0) body.options = options;
  if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive;
  return body;
}
