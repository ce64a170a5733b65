import { InvalidRequestError, type Message } from '@switchyard/contract';
import type { ChatHistoryItem, ChatModelFunctionCall } from 'node-llama-cpp';

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Maps contract messages to node-llama-cpp's chat history. Assistant tool calls become function-call items carrying the
 * result of the matching tool message, which is how node-llama-cpp's chat wrappers render tool results. The history
 * always ends with a model item, holding `assistantPrefix` when given, so generation continues that answer.
 */
export function toChatHistory(
  messages: readonly Message[],
  assistantPrefix?: string,
  target?: string,
): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of messages) if (message.role === 'tool') results.set(message.toolCallId, message.content);
  const answered = new Set<string>();
  const history: ChatHistoryItem[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        return;
      case 'user': {
        if (typeof message.content === 'string') {
          history.push({ type: 'user', text: message.content });
          return;
        }
        const texts: string[] = [];
        message.content.forEach((part, partIndex) => {
          if (part.type === 'image') {
            throw new InvalidRequestError({
              target,
              problems: [
                {
                  path: `messages[${index}].content[${partIndex}]`,
                  message: 'images are not supported by this target (capabilities.images is false)',
                },
              ],
            });
          }
          texts.push(part.text);
        });
        history.push({ type: 'user', text: texts.join('\n') });
        return;
      }
      case 'assistant': {
        const response: Array<string | ChatModelFunctionCall> = [];
        if (message.content) response.push(message.content);
        for (const call of message.toolCalls ?? []) {
          answered.add(call.id);
          const result = results.get(call.id);
          response.push({
            type: 'functionCall',
            name: call.name,
            params: parseJsonOr(call.arguments),
            result: result === undefined ? null : parseJsonOr(result),
          });
        }
        history.push({ type: 'model', response });
        return;
      }
      case 'tool':
        // Results of calls made in an earlier assistant message were attached to that call above.
        if (!answered.has(message.toolCallId)) {
          history.push({ type: 'user', text: `Result of tool call ${message.toolCallId}: ${message.content}` });
        }
        return;
    }
  });
  history.push({ type: 'model', response: assistantPrefix ? [assistantPrefix] : [] });
  return history;
}
