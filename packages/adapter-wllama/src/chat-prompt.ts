import { Template } from '@huggingface/jinja';

/** A chat message as the model's template reads it. */
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Renders a conversation into the prompt text the model expects, ready for the assistant's answer. */
export type ChatPrompt = (messages: readonly TemplateMessage[]) => string;

/**
 * The model's chat template (`tokenizer.chat_template`) compiled once, in the page's JavaScript. wllama renders it in
 * its WebAssembly worker on every chat request, which was the largest part of a chat request's time to first token
 * there (BENCHMARKS.md, row 11); rendering it here and sending the prompt as a plain completion gives the model the
 * same text. `undefined` (so the caller keeps wllama's chat path) when there is no template, when it does not
 * compile, or when it writes `bos_token` / `eos_token`, whose text the page cannot read from wllama.
 */
export function compileChatPrompt(source: string | null | undefined): ChatPrompt | undefined {
  if (!source || /\b(?:bos|eos)_token\b/.test(source)) return undefined;
  let template: Template;
  try {
    template = new Template(source);
  } catch {
    return undefined;
  }
  return (messages) => template.render({ messages, add_generation_prompt: true });
}
