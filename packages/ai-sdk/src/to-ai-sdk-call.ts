import type {
  LanguageModelV4CallOptions,
  LanguageModelV4FilePart,
  LanguageModelV4Message,
  LanguageModelV4TextPart,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';
import type { ContentPart, TargetCall } from '@switchyard/contract';

function filePart(part: Extract<ContentPart, { type: 'image' }>): LanguageModelV4FilePart {
  const match = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(part.url);
  if (match) {
    const mediaType = part.mediaType ?? match[1] ?? 'image';
    const data = match[2] ? (match[3] ?? '') : Buffer.from(decodeURIComponent(match[3] ?? '')).toString('base64');
    return { type: 'file', mediaType, data: { type: 'data', data } };
  }
  return { type: 'file', mediaType: part.mediaType ?? 'image', data: { type: 'url', url: new URL(part.url) } };
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Turns a contract call into AI SDK call options: messages into the AI SDK prompt (tool results find their tool name
 * through the assistant message that called them; an `assistantPrefix` becomes a trailing assistant message),
 * `maxTokens` into `maxOutputTokens`, tools into function tools, and `json_schema` into JSON output.
 */
export function toAISDKCall(
  call: TargetCall,
  providerOptions: SharedV4ProviderOptions | undefined,
): LanguageModelV4CallOptions {
  const toolNames = new Map<string, string>();
  const prompt: LanguageModelV4Message[] = [];
  for (const message of call.messages) {
    switch (message.role) {
      case 'system':
        prompt.push({ role: 'system', content: message.content });
        break;
      case 'user':
        prompt.push({
          role: 'user',
          content:
            typeof message.content === 'string'
              ? [{ type: 'text', text: message.content }]
              : message.content.map((part): LanguageModelV4TextPart | LanguageModelV4FilePart =>
                  part.type === 'text' ? { type: 'text', text: part.text } : filePart(part),
                ),
        });
        break;
      case 'assistant': {
        const content: Extract<LanguageModelV4Message, { role: 'assistant' }>['content'] = [];
        if (message.content !== '') content.push({ type: 'text', text: message.content });
        for (const toolCall of message.toolCalls ?? []) {
          toolNames.set(toolCall.id, toolCall.name);
          content.push({
            type: 'tool-call',
            toolCallId: toolCall.id,
            toolName: toolCall.name,
            input: parseInput(toolCall.arguments),
          });
        }
        prompt.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const part = {
          type: 'tool-result' as const,
          toolCallId: message.toolCallId,
          toolName: toolNames.get(message.toolCallId) ?? 'tool',
          output: { type: 'text' as const, value: message.content },
        };
        const last = prompt.at(-1);
        if (last?.role === 'tool') last.content.push(part);
        else prompt.push({ role: 'tool', content: [part] });
        break;
      }
    }
  }
  if (call.assistantPrefix) prompt.push({ role: 'assistant', content: [{ type: 'text', text: call.assistantPrefix }] });

  const choice = call.toolChoice;
  return {
    prompt,
    ...(call.maxTokens === undefined ? {} : { maxOutputTokens: call.maxTokens }),
    ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
    ...(call.topP === undefined ? {} : { topP: call.topP }),
    ...(call.stop ? { stopSequences: call.stop } : {}),
    ...(call.seed === undefined ? {} : { seed: call.seed }),
    ...(call.tools?.length
      ? {
          tools: call.tools.map((tool) => ({
            type: 'function' as const,
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            inputSchema: tool.parameters,
          })),
        }
      : {}),
    ...(choice === undefined
      ? {}
      : { toolChoice: typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.name } }),
    ...(call.responseFormat?.type === 'json_schema'
      ? {
          responseFormat: {
            type: 'json',
            schema: call.responseFormat.schema,
            ...(call.responseFormat.name === undefined ? {} : { name: call.responseFormat.name }),
          },
        }
      : {}),
    ...(call.signal ? { abortSignal: call.signal } : {}),
    ...(providerOptions ? { providerOptions } : {}),
  };
}
