import type { TargetCall } from '@switchyard/contract';
import { InvalidRequestError } from '@switchyard/contract/errors';
import type { LanguageModelMessage } from './prompt-api.js';

/** A call split the way the Prompt API wants it: system text at session creation, the conversation as the prompt. */
export interface PromptMessages {
  initialPrompts: LanguageModelMessage[];
  input: LanguageModelMessage[];
}

/**
 * Turns a call's messages into Prompt API messages. System messages become the session's initial prompts (the API
 * refuses them in `prompt()`); the conversation is the prompt; an assistant prefix becomes a last assistant message
 * with `prefix: true`, which the model continues. Images and tool messages are not supported by this target.
 */
export function toPromptMessages(call: TargetCall, target: string): PromptMessages {
  const initialPrompts: LanguageModelMessage[] = [];
  const input: LanguageModelMessage[] = [];
  call.messages.forEach((message, index) => {
    if (message.role === 'system') {
      if (input.length > 0) {
        throw new InvalidRequestError({
          target,
          problems: [
            {
              path: `messages[${index}]`,
              message: 'the Prompt API takes system messages only before the conversation',
            },
          ],
        });
      }
      initialPrompts.push({ role: 'system', content: message.content });
    } else if (message.role === 'user') {
      if (typeof message.content !== 'string' && message.content.some((part) => part.type !== 'text')) {
        throw new InvalidRequestError({
          target,
          problems: [
            {
              path: `messages[${index}].content`,
              message: 'this target takes text only (capabilities.images is false)',
            },
          ],
        });
      }
      const content =
        typeof message.content === 'string'
          ? message.content
          : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
      input.push({ role: 'user', content });
    } else if (message.role === 'assistant') {
      input.push({ role: 'assistant', content: message.content });
    } else {
      throw new InvalidRequestError({
        target,
        problems: [
          { path: `messages[${index}].role`, message: 'this target has no tools (capabilities.tools is false)' },
        ],
      });
    }
  });
  if (call.assistantPrefix) input.push({ role: 'assistant', content: call.assistantPrefix, prefix: true });
  return { initialPrompts, input };
}
