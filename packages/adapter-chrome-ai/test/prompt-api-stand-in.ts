/**
 * A stand-in for the browser's built-in model, written from the Prompt API explainer and MDN (headless Chromium has
 * the `LanguageModel` global but no model behind it). It keeps the documented shapes: `availability()` with the four
 * states, `create()` with `initialPrompts`, `monitor` (`downloadprogress` events with `loaded` 0..1) and `signal`,
 * sessions whose `promptStreaming()` returns a `ReadableStream` of text deltas, `prefix: true` continuation,
 * `measureContextUsage()`, `contextWindow`, `destroy()`, and `AbortError` DOMExceptions. Its "model" is a
 * deterministic word machine: the answer depends only on the prompt, one word per chunk, never ending by itself
 * before 64 words.
 */
import type {
  LanguageModelAvailability,
  LanguageModelCreateOptions,
  LanguageModelMessage,
  LanguageModelPromptOptions,
  LanguageModelSession,
  LanguageModelStatic,
} from '../src/index.js';

const words = ['the', 'yard', 'train', 'signal', 'switch', 'track', 'runs', 'north', 'and', 'stops', 'at', 'dawn'];

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** The words of the answer to `history` (64 of them), as deltas. A prefix is continued, not repeated. */
function answer(history: LanguageModelMessage[]): string[] {
  const last = history.at(-1);
  const prefix = last?.role === 'assistant' && last.prefix ? last.content : '';
  const seed = hash(
    history
      .filter((message) => !message.prefix)
      .map((message) => message.content)
      .join('\n'),
  );
  const all = Array.from(
    { length: 64 },
    (_, index) => `${index === 0 ? '' : ' '}${words[(seed + index * 7) % words.length]}`,
  );
  // Continuation: skip the words the prefix already holds.
  let skipped = 0;
  let consumed = '';
  while (skipped < all.length && consumed.length < prefix.length) consumed += all[skipped++];
  return all.slice(skipped);
}

export interface StandInControls {
  availability: LanguageModelAvailability;
  /** Delay between chunks, ms. */
  chunkDelayMs: number;
  /** Progress events a download emits before the model is available. */
  downloadSteps: number;
  sessionsCreated: number;
  sessionsDestroyed: number;
}

export function createPromptApiStandIn(controls: StandInControls): LanguageModelStatic {
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(abortError());
      });
    });

  function session(initial: LanguageModelMessage[]): LanguageModelSession {
    let destroyed = false;
    const toMessages = (input: string | LanguageModelMessage[]) =>
      typeof input === 'string' ? [{ role: 'user' as const, content: input }] : input;
    const check = (input: LanguageModelMessage[]) => {
      if (destroyed) throw new DOMException('The session was destroyed.', 'InvalidStateError');
      if (input.some((message) => message.role === 'system')) {
        throw new DOMException('System messages are only allowed in initialPrompts.', 'NotSupportedError');
      }
    };
    const stream = (input: string | LanguageModelMessage[], options: LanguageModelPromptOptions = {}) => {
      const messages = toMessages(input);
      check(messages);
      const chunks = answer([...initial, ...messages]);
      let index = 0;
      return new ReadableStream<string>({
        async pull(controller) {
          try {
            await sleep(controls.chunkDelayMs, options.signal);
          } catch (error) {
            controller.error(error);
            return;
          }
          if (destroyed) controller.error(abortError());
          else if (index < chunks.length) controller.enqueue(chunks[index++]!);
          else controller.close();
        },
      });
    };
    return {
      contextWindow: 6144,
      promptStreaming: stream,
      async prompt(input, options) {
        let text = '';
        const reader = stream(input, options).getReader();
        for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value;
        return text;
      },
      async measureContextUsage(input) {
        const messages = toMessages(input);
        check(messages);
        return [...initial, ...messages].reduce((sum, message) => sum + message.content.split(/\s+/).length + 4, 0);
      },
      destroy() {
        if (!destroyed) controls.sessionsDestroyed += 1;
        destroyed = true;
      },
    };
  }

  return {
    async availability() {
      return controls.availability;
    },
    async create(options: LanguageModelCreateOptions = {}) {
      if (options.signal?.aborted) throw abortError();
      if (controls.availability === 'unavailable')
        throw new DOMException('The model is not available.', 'NotSupportedError');
      if (controls.availability !== 'available') {
        const monitor = new EventTarget();
        options.monitor?.(monitor);
        controls.availability = 'downloading';
        for (let step = 1; step <= controls.downloadSteps; step += 1) {
          await sleep(20, options.signal);
          monitor.dispatchEvent(
            Object.assign(new Event('downloadprogress'), { loaded: step / controls.downloadSteps }),
          );
        }
        controls.availability = 'available';
      }
      controls.sessionsCreated += 1;
      return session(options.initialPrompts ?? []);
    },
  };
}
