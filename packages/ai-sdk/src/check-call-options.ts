import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { InvalidArgumentError } from '@ai-sdk/provider';

const roles = ['system', 'user', 'assistant', 'tool'];
const toolChoices = ['auto', 'none', 'required', 'tool'];
const responseFormats = ['text', 'json'];

/**
 * Checks the shape of the call options a caller can get wrong when calling `doGenerate` / `doStream` directly (the
 * AI SDK's own functions build them correctly): a malformed prompt, tool list, stop list, tool choice or response
 * format is an `InvalidArgumentError` naming the argument, instead of a TypeError from the conversion or a silently
 * dropped message, stop sequence or JSON mode. Values are never echoed.
 */
export function checkCallOptions(options: LanguageModelV4CallOptions): void {
  const fail: Fail = (argument, expected) => {
    throw new InvalidArgumentError({ argument, message: `Invalid call options: ${argument}: expected ${expected}.` });
  };
  const { prompt, tools, stopSequences, toolChoice, responseFormat } = options as unknown as Record<string, unknown>;
  if (!Array.isArray(prompt)) fail('prompt', 'an array of messages ({ role, content })');
  for (const [index, message] of prompt.entries()) checkMessage(message, `prompt[${index}]`, fail);
  if (tools !== undefined && !Array.isArray(tools)) fail('tools', 'an array of tools');
  if (stopSequences !== undefined && !(Array.isArray(stopSequences) && stopSequences.every(isString))) {
    fail('stopSequences', 'an array of strings');
  }
  if (toolChoice !== undefined && !(isObject(toolChoice) && toolChoices.includes(toolChoice.type as string))) {
    fail('toolChoice', `{ type } with type one of ${toolChoices.map((type) => `"${type}"`).join(', ')}`);
  }
  if (
    responseFormat !== undefined &&
    !(isObject(responseFormat) && responseFormats.includes(responseFormat.type as string))
  ) {
    fail('responseFormat', '{ type: "text" } or { type: "json", schema? }');
  }
}

type Fail = (argument: string, expected: string) => never;

function checkMessage(message: unknown, at: string, fail: Fail): void {
  if (!isObject(message)) fail(at, 'a message object ({ role, content })');
  if (typeof message.role !== 'string' || !roles.includes(message.role)) {
    fail(`${at}.role`, `one of ${roles.map((role) => `"${role}"`).join(', ')}`);
  }
  if (message.role === 'system') {
    if (typeof message.content !== 'string') fail(`${at}.content`, 'a string');
    return;
  }
  if (!Array.isArray(message.content)) fail(`${at}.content`, 'an array of parts ({ type, … })');
  for (const [index, part] of message.content.entries()) {
    const partAt = `${at}.content[${index}]`;
    if (!isObject(part) || typeof part.type !== 'string') fail(partAt, 'a part object with a string type');
    if (message.role === 'user' && part.type !== 'text' && part.type !== 'file') {
      fail(`${partAt}.type`, '"text" or "file" in a user message');
    }
    if (part.type === 'text' && typeof part.text !== 'string') fail(`${partAt}.text`, 'a string');
    if (part.type === 'file' && typeof part.mediaType !== 'string') fail(`${partAt}.mediaType`, 'a media type string');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isString = (value: unknown): value is string => typeof value === 'string';
