import type { Message } from '@switchyard/contract';
import type { PiiDetector } from '../privacy/detect-pii.js';
import { isPhoneCheckProvisional } from '../privacy/phone-numbers.js';
import { hasProvisionalPhone } from '../privacy/provisional-phone-recognizer.js';
import type { TextFacts } from './recent-texts.js';
import { RecentTexts } from './recent-texts.js';

/**
 * Tokens added per message for role and framing in the estimate. The estimate is `ceil(chars / 4) + 4` per
 * message (images count {@link imageTokenEstimate} each); it is used when a target cannot count tokens itself.
 */
export const messageOverheadTokens = 4;
/** Tokens an image is assumed to cost in the estimate. */
export const imageTokenEstimate = 512;

/** Facts about a message whose text has to be assembled (content parts, tool calls). */
interface AssembledFacts {
  content: Message['content'];
  text: string;
  images: number;
}

// Assembling the text of a multi-part message allocates, so it is done once per message object. Entries are dropped
// with the message; `content` guards against mutation. Plain string messages need no entry: their text is the
// content, and what is known about a text is kept by content in `recentTexts`.
const assembled = new WeakMap<Message, AssembledFacts>();
/** Up to 256 recent texts and 1M characters (about 2 MB) are remembered by content across message objects. */
export const recentTexts = new RecentTexts(256, 1_000_000);

function hasAssembledText(message: Message): boolean {
  return typeof message.content !== 'string' || (message.role === 'assistant' && message.toolCalls !== undefined);
}

function assembledFacts(message: Message): AssembledFacts {
  const cached = assembled.get(message);
  if (cached !== undefined && cached.content === message.content) return cached;
  let text = '';
  let images = 0;
  if (typeof message.content === 'string') text = message.content;
  else {
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else images += 1;
    }
  }
  if (message.role === 'assistant' && message.toolCalls) {
    for (const call of message.toolCalls) text += call.name + call.arguments;
  }
  const facts: AssembledFacts = { content: message.content, text, images };
  assembled.set(message, facts);
  return facts;
}

/** The text the estimate, the tokenizers and the detector see: content parts joined, tool calls included. */
function textOf(message: Message): string {
  return hasAssembledText(message) ? assembledFacts(message).text : (message.content as string);
}

function imagesOf(message: Message): number {
  return typeof message.content === 'string' ? 0 : assembledFacts(message).images;
}

/** The estimated prompt tokens of `messages`: `ceil(chars / 4) + 4` per message, plus a fixed cost per image. */
export function estimatePromptTokens(messages: readonly Message[]): number {
  let total = 0;
  for (const message of messages) {
    if (hasAssembledText(message)) {
      const facts = assembledFacts(message);
      total += Math.ceil(facts.text.length / 4) + messageOverheadTokens + facts.images * imageTokenEstimate;
    } else total += Math.ceil((message.content as string).length / 4) + messageOverheadTokens;
  }
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
    const text = textOf(message);
    const shared: TextFacts | undefined = text.length === 0 ? undefined : recentTexts.get(text);
    let count = shared?.counted?.get(countTokens);
    if (count === undefined) {
      count = countTokens(text);
      if (count === undefined) return estimatePromptTokens(messages);
      if (shared) {
        shared.counted ??= new Map();
        shared.counted.set(countTokens, count);
      }
    }
    total += count + messageOverheadTokens + imagesOf(message) * imageTokenEstimate;
  }
  return total;
}

/**
 * Scans `text` into `shared`; returns whether the verdict is provisional: a phone number in it only the full phone
 * check can decide (core's browser build, its numbering plans not loaded). Such a verdict is not kept; any other is
 * the full check's, and is kept even while the plans are missing.
 */
function scanInto(shared: TextFacts, text: string, detect: PiiDetector): boolean {
  const detection = detect(text);
  shared.pii = detection.kinds;
  const provisional = isPhoneCheckProvisional() && hasProvisionalPhone(detection.findings);
  shared.piiDetector = provisional ? undefined : detect;
  return provisional;
}

/** Personal-data kinds `detect` finds in any message (system, user, assistant and tool results alike). */
export function detectPiiInMessages(messages: readonly Message[], detect: PiiDetector): string[] {
  let found: string[] | undefined;
  for (const message of messages) {
    const text = textOf(message);
    if (text.length === 0) continue;
    const shared = recentTexts.get(text);
    if (shared.pii === undefined || shared.piiDetector !== detect) scanInto(shared, text, detect);
    const pii = shared.pii!;
    if (pii.length === 0) continue;
    if (found === undefined) found = pii;
    else found = [...new Set([...found, ...pii])];
  }
  // A copy: the cached kinds must not change when a caller edits `plan.privacy.detected`.
  return found === undefined ? [] : [...found];
}

/**
 * Whether any message's text holds a phone number only the full phone check can decide (core's browser build, its
 * numbering plans not loaded): a request that must wait for them to be planned as after the load. The scan's
 * verdicts are kept as {@link detectPiiInMessages} keeps them, so planning the request afterwards does not scan again.
 */
export function needsFullPhoneCheck(messages: readonly Message[], detect: PiiDetector): boolean {
  for (const message of messages) {
    const text = textOf(message);
    if (text.length === 0) continue;
    const shared = recentTexts.get(text);
    if (shared.pii !== undefined && shared.piiDetector === detect) continue;
    if (scanInto(shared, text, detect)) return true;
  }
  return false;
}

/** Whether any message has text the detector would read (images alone have none). */
export function hasText(messages: readonly Message[]): boolean {
  for (const message of messages) if (textOf(message).length > 0) return true;
  return false;
}

/** The text of the last user message: what a difficulty scorer judges. */
export function lastUserText(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'user') return textOf(message);
  }
  return '';
}
