import type { ExclusionReason, GenerateRequest, Message } from '@switchyard/contract';
import { AllTargetsFailedError, InvalidRequestError, NoEligibleTargetError } from '@switchyard/contract';
import type { RouterStreamPart } from '@switchyard/core';
import type { DecisionRecord } from './decision-log.js';
import type { DemoHost } from './demo-api.js';

/** What the page sends to `POST /api/chat`. */
export interface ChatInput {
  /** The conversation so far, oldest first, ending with the user's new message. */
  messages: { role: 'user' | 'assistant'; content: string }[];
  /** The page's "private" toggle: the request may only run on the device. */
  private?: boolean;
}

/** What `POST /api/chat` streams: the router's parts, then the decision record (or an error). */
export type ChatEvent =
  | RouterStreamPart
  | { type: 'record'; record: DecisionRecord }
  | {
      type: 'error';
      code: string;
      message: string;
      excluded?: { target: string; reason: ExclusionReason; detail: string }[];
    };

/** Turns kept from the conversation: the generated on-device model has a small context window. */
const historyTurns = 6;
const maxMessageChars = 20_000;
const answerTokens = 64;
const systemPrompt = 'You are a helpful assistant. Answer briefly.';

/** Validates the page's body; throws `InvalidRequestError` naming the field. */
export function parseChatInput(body: unknown): ChatInput {
  const problems: { path: string; message: string }[] = [];
  const input = body as Partial<ChatInput> | null;
  if (typeof input !== 'object' || input === null) {
    throw new InvalidRequestError({
      problems: [{ path: '', message: 'expected a JSON object { messages, private }' }],
    });
  }
  if (!Array.isArray(input.messages) || input.messages.length === 0) {
    problems.push({ path: 'messages', message: 'expected a non-empty array of { role, content }' });
  } else {
    input.messages.forEach((message, index) => {
      if (message?.role !== 'user' && message?.role !== 'assistant') {
        problems.push({ path: `messages[${index}].role`, message: 'expected "user" or "assistant"' });
      }
      if (typeof message?.content !== 'string' || message.content.length > maxMessageChars) {
        problems.push({
          path: `messages[${index}].content`,
          message: `expected a string of at most ${maxMessageChars} characters`,
        });
      }
    });
    if (input.messages.at(-1)?.role !== 'user') {
      problems.push({
        path: `messages[${input.messages.length - 1}].role`,
        message: "the last message must be the user's",
      });
    }
  }
  if (input.private !== undefined && typeof input.private !== 'boolean') {
    problems.push({ path: 'private', message: 'expected true or false' });
  }
  if (problems.length > 0) throw new InvalidRequestError({ problems });
  return { messages: input.messages!, ...(input.private === undefined ? {} : { private: input.private }) };
}

/** The router request for a chat turn. */
export function toGenerateRequest(input: ChatInput, signal?: AbortSignal): GenerateRequest {
  const history: Message[] = input.messages.slice(-historyTurns).map((message) => ({ ...message }));
  return {
    messages: [{ role: 'system', content: systemPrompt }, ...history],
    maxTokens: answerTokens,
    ...(input.private ? { routing: { privacy: 'private' as const } } : {}),
    ...(signal ? { signal } : {}),
  };
}

/**
 * Runs one chat turn through the router and yields what the page renders: the decision, the text as it streams,
 * failovers, the summary, and the record added to the decision log. Routing failures become an `error` event
 * (with every exclusion when nothing was eligible) instead of a broken stream.
 */
export async function* runChat(
  runtime: Pick<DemoHost, 'router' | 'log'>,
  input: ChatInput,
  signal?: AbortSignal,
): AsyncGenerator<ChatEvent> {
  try {
    for await (const part of runtime.router.stream(toGenerateRequest(input, signal))) {
      yield part;
      if (part.type === 'route' && part.phase === 'summary') {
        yield { type: 'record', record: runtime.log.add(part.route) };
      }
    }
  } catch (error) {
    if (NoEligibleTargetError.isInstance(error)) {
      const record = runtime.log.addFailure(error.excluded.map(({ target, reason }) => ({ target, reason })));
      yield { type: 'error', code: error.code, message: error.message, excluded: error.excluded };
      yield { type: 'record', record };
      return;
    }
    if (AllTargetsFailedError.isInstance(error)) {
      yield { type: 'error', code: error.code, message: error.message };
      return;
    }
    const code = (error as { code?: unknown }).code;
    yield {
      type: 'error',
      code: typeof code === 'string' ? code : 'internal',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
