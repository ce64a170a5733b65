import { type InputProblem, InvalidRequestError, type Message } from '@switchyard/contract';

/**
 * How chat messages become the single `text_input` string Triton's generate endpoint takes. A built-in name, or a
 * function that renders the messages and ends with whatever opens the assistant's turn.
 */
export type ChatTemplate = 'chatml' | 'llama3' | 'plain' | ((messages: readonly Message[]) => string);

/** The text of a message; image parts cannot be sent through `text_input`. */
function textOf(message: Message, index: number, problems: InputProblem[]): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part, partIndex) => {
      if (part.type === 'text') return part.text;
      problems.push({
        path: `messages[${index}].content[${partIndex}]`,
        message: 'expected text: Triton generate takes a text prompt, so images cannot be sent',
      });
      return '';
    })
    .join('\n');
}

function chatml(turns: { role: string; text: string }[]): string {
  const body = turns.map((turn) => `<|im_start|>${turn.role}\n${turn.text}<|im_end|>\n`).join('');
  return `${body}<|im_start|>assistant\n`;
}

function llama3(turns: { role: string; text: string }[]): string {
  // No <|begin_of_text|>: vLLM's and TensorRT-LLM's tokenizers add the BOS token themselves.
  const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  const body = turns
    .map((turn) => `${header(turn.role === 'tool' ? 'ipython' : turn.role)}${turn.text}<|eot_id|>`)
    .join('');
  return `${body}${header('assistant')}`;
}

function plain(turns: { role: string; text: string }[]): string {
  const label = (role: string) => `${role[0]?.toUpperCase() ?? ''}${role.slice(1)}`;
  return `${turns.map((turn) => `${label(turn.role)}: ${turn.text}`).join('\n')}\nAssistant:`;
}

/**
 * Renders a call's messages into Triton's `text_input` with the chosen template, then appends the assistant prefix
 * (after a space for `plain`, whose assistant label ends with a colon) so the model continues it.
 * Assistant tool calls are rendered as their JSON text; tool results as a `tool` turn.
 *
 * @example
 * ```ts
 * renderChatTemplate('chatml', [{ role: 'user', content: 'Hi' }]);
 * // '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n'
 * ```
 */
export function renderChatTemplate(
  template: ChatTemplate,
  messages: readonly Message[],
  assistantPrefix?: string,
  target?: string,
): string {
  let prompt: string;
  if (typeof template === 'function') {
    prompt = template(messages);
  } else {
    const problems: InputProblem[] = [];
    const turns = messages.map((message, index) => {
      let text = textOf(message, index, problems);
      if (message.role === 'assistant' && message.toolCalls?.length) {
        const calls = message.toolCalls.map((call) => JSON.stringify({ name: call.name, arguments: call.arguments }));
        text = [text, ...calls].filter((part) => part !== '').join('\n');
      }
      return { role: message.role, text };
    });
    if (problems.length > 0) throw new InvalidRequestError({ problems, target });
    prompt = template === 'chatml' ? chatml(turns) : template === 'llama3' ? llama3(turns) : plain(turns);
  }
  if (!assistantPrefix) return prompt;
  return template === 'plain' ? `${prompt} ${assistantPrefix}` : `${prompt}${assistantPrefix}`;
}
