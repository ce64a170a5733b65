import type {
  LanguageModelV4FilePart,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { UnsupportedFunctionalityError } from '@ai-sdk/provider';
import type { ContentPart, Message, ToolCall } from '@switchyard/contract';

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** An image file part as a contract image URL (`https:` kept, bytes and base64 turned into a `data:` URL). */
function imageUrl(part: LanguageModelV4FilePart): ContentPart {
  const mediaType = part.mediaType.includes('/') ? part.mediaType : 'image/png';
  const data = part.data;
  if (data.type === 'url') return { type: 'image', url: data.url.toString(), mediaType };
  if (data.type === 'data') {
    const encoded = typeof data.data === 'string' ? data.data : base64(data.data);
    return { type: 'image', url: `data:${mediaType};base64,${encoded}`, mediaType };
  }
  throw new UnsupportedFunctionalityError({
    functionality: `file parts of kind "${data.type}"`,
    message: `Switchyard targets take images as URLs or bytes; a file part of kind "${data.type}" cannot be sent.`,
  });
}

/** A tool result as the text a chat model reads. */
function toolResultText(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return output.reason ? `Tool execution denied: ${output.reason}` : 'Tool execution denied.';
    case 'content':
      return output.value.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
}

/**
 * Turns an AI SDK prompt into contract messages. Text, images, tool calls and tool results map one to one; parts a
 * Switchyard target cannot take (reasoning, non-image files) are dropped with a warning or refused with
 * `UnsupportedFunctionalityError` when dropping them would change the meaning. `promptIndexOf` receives, for each
 * message returned, the index of the prompt message it came from (a tool message with several results gives several).
 */
export function fromAISDKPrompt(
  prompt: LanguageModelV4Prompt,
  warnings: SharedV4Warning[],
  promptIndexOf: number[] = [],
): Message[] {
  const messages: Message[] = [];
  let droppedReasoning = false;
  for (const [promptIndex, message] of prompt.entries()) {
    // Every message pushed below comes from this prompt message: recorded so errors can name `prompt[i]`.
    const before = messages.length;
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        break;
      case 'user': {
        const parts: ContentPart[] = [];
        for (const part of message.content) {
          if (part.type === 'text') parts.push({ type: 'text', text: part.text });
          else if (part.mediaType.startsWith('image')) parts.push(imageUrl(part));
          else
            throw new UnsupportedFunctionalityError({
              functionality: `file parts of media type "${part.mediaType}"`,
              message: `Switchyard targets take text and images; a "${part.mediaType}" file cannot be sent.`,
            });
        }
        const onlyText = parts.every((part) => part.type === 'text');
        messages.push({
          role: 'user',
          content: onlyText ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('') : parts,
        });
        break;
      }
      case 'assistant': {
        let text = '';
        const toolCalls: ToolCall[] = [];
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else if (part.type === 'tool-call')
            toolCalls.push({
              id: part.toolCallId,
              name: part.toolName,
              arguments: typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {}),
            });
          else if (part.type === 'reasoning' || part.type === 'reasoning-file') droppedReasoning = true;
          else if (part.type === 'tool-result')
            messages.push({ role: 'tool', toolCallId: part.toolCallId, content: toolResultText(part.output) });
        }
        messages.push(
          toolCalls.length > 0 ? { role: 'assistant', content: text, toolCalls } : { role: 'assistant', content: text },
        );
        break;
      }
      case 'tool':
        for (const part of message.content) {
          if (part.type !== 'tool-result') continue;
          messages.push({ role: 'tool', toolCallId: part.toolCallId, content: toolResultText(part.output) });
        }
        break;
    }
    for (let index = before; index < messages.length; index++) promptIndexOf.push(promptIndex);
  }
  if (droppedReasoning) {
    warnings.push({
      type: 'other',
      message: 'Reasoning parts of earlier assistant messages were not sent: Switchyard targets take text only.',
    });
  }
  return messages;
}
