import type { Message } from '@switchyard/spec';
import { detectPii } from '../privacy/detect-pii.js';

/**
 * Tokens added per message for role and framing in the estimate. The estimate is `ceil(chars / 4) + 4` per
 * message (images count {@link imageTokenEstimate} each); it is used when a target cannot count tokens itself.
 */
export const messageOverheadTokens = 4;
/** Tokens an image is assumed to cost in the estimate. */
export const imageTokenEstimate = 512;

interface MessageFacts {
  content: Message['content'];
  text: string;
  images: number;
  estimate: number;
  /** `undefined` until the detector has run on this message. */
  pii: string[] | undefined;
  counted: Map<(text: string) => number | undefined, number> | undefined;
}

// plan() runs before generate() on the same request objects, and servers often plan twice (preview + run): the
// facts about a message are computed once. Entries are dropped with the message; `content` guards against mutation.
const cache = new WeakMap<Message, MessageFacts>();

function factsOf(message: Message): MessageFacts {
  const cached = cache.get(message);
  if (cached !== undefined && cached.content === message.content) return cached;
  let text: string;
  let images = 0;
  if (typeof message.content === 'string') text = message.content;
  else {
    text = '';
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else images += 1;
    }
  }
  if (message.role === 'assistant' && message.toolCalls) {
    for (const call of message.toolCalls) text += call.name + call.arguments;
  }
  const facts: MessageFacts = {
    content: message.content,
    text,
    images,
    estimate: Math.ceil(text.length / 4) + messageOverheadTokens + images * imageTokenEstimate,
    pii: undefined,
    counted: undefined,
  };
  cache.set(message, facts);
  return facts;
}

/** The estimated prompt tokens of `messages`: `ceil(chars / 4) + 4` per message, plus a fixed cost per image. */
export function estimatePromptTokens(messages: readonly Message[]): number {
  let total = 0;
  for (const message of messages) total += factsOf(message).estimate;
  return total;
}

/** Prompt tokens by a target's own tokenizer; falls back to the estimate where the tokenizer returns `undefined`. */
export function countPromptTokens(
  messages: readonly Message[],
  countTokens: ((text: string) => number | undefined) | undefined,
): number {
  if (countTokens === undefined) return estimatePromptTokens(messages);
  let total = 0;
  for (const message of messages) {
    const facts = factsOf(message);
    let count = facts.counted?.get(countTokens);
    if (count === undefined) {
      const counted = countTokens(facts.text);
      if (counted === undefined) return estimatePromptTokens(messages);
      count = counted + messageOverheadTokens + facts.images * imageTokenEstimate;
      facts.counted ??= new Map();
      facts.counted.set(countTokens, count);
    }
    total += count;
  }
  return total;
}

/** Personal-data kinds found in any message (system, user, assistant and tool results alike). */
export function detectPiiInMessages(messages: readonly Message[]): string[] {
  let found: string[] | undefined;
  for (const message of messages) {
    const facts = factsOf(message);
    facts.pii ??= facts.text.length === 0 ? [] : detectPii(facts.text).kinds;
    if (facts.pii.length === 0) continue;
    if (found === undefined) found = facts.pii;
    else found = [...new Set([...found, ...facts.pii])];
  }
  return found ?? [];
}

/** The text of the last user message: what a difficulty scorer judges. */
export function lastUserText(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'user') return factsOf(message).text;
  }
  return '';
}
