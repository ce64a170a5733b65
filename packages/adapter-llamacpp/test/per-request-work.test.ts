import { ensureTinyModel } from '@switchyard/testkit';
import {
  ChatMLChatWrapper,
  JinjaTemplateChatWrapper,
  LlamaContext,
  type LlamaContextSequence,
  LlamaModel,
} from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLlamaCppTarget, type LlamaCppTarget } from '../src/index.js';

// The regression guard for time to first token, without timing anything: the work done per request, counted on the
// real node-llama-cpp (the adapter imports the same module instance). A request should render its chat template
// about once, tokenize a handful of times, create no context and no sequence, and evaluate no more prompt tokens than
// the prompt has. The old adapter re-resolved the model's chat wrapper on every call (`new LlamaChat()` without one),
// which rendered a chat template 98 times and tokenized 3 028 texts per request on this model (measured before the
// fix; 2 and 16 after): ~345 ms before the first token of a 5 ms answer.
describe('adapter-llamacpp work per request (generated tiny model, real node-llama-cpp)', () => {
  let target: LlamaCppTarget;
  const sequences: LlamaContextSequence[] = [];
  const counters = { contexts: 0, sequences: 0, tokenize: 0, renders: 0 };
  const spies: { mockRestore(): void }[] = [];

  function count<T extends object>(proto: T, method: keyof T & string, key: keyof typeof counters): void {
    const original = proto[method] as (...args: unknown[]) => unknown;
    spies.push(
      vi.spyOn(proto, method as never).mockImplementation(function (this: unknown, ...args: unknown[]) {
        counters[key] += 1;
        const result = original.apply(this, args);
        if (key === 'sequences') sequences.push(result as LlamaContextSequence);
        return result;
      } as never),
    );
  }

  beforeAll(async () => {
    count(LlamaModel.prototype, 'createContext', 'contexts');
    count(LlamaContext.prototype, 'getSequence', 'sequences');
    count(LlamaModel.prototype, 'tokenize', 'tokenize');
    count(ChatMLChatWrapper.prototype, 'generateContextState', 'renders');
    count(JinjaTemplateChatWrapper.prototype, 'generateContextState', 'renders');
    target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      contextSize: 1024,
      sequences: 1,
      gpu: false,
    });
    await target.load();
  });

  afterAll(async () => {
    await target?.dispose();
    for (const spy of spies) spy.mockRestore();
  });

  const prompts = ['Tell me about rail yards.', 'What is a switchyard?', 'Name three trains.', 'Hello there'];

  it('streams each request on the loaded context and its one sequence, rendering the template about once', async () => {
    expect(counters.contexts).toBe(1);
    const perRequest: (typeof counters & { inputTokens: number; evaluated: number })[] = [];
    for (let round = 0; round < 2; round += 1) {
      for (const content of prompts) {
        const before = { ...counters };
        const meterBefore = sequences[0]?.tokenMeter.usedInputTokens ?? 0;
        let inputTokens = 0;
        let text = '';
        for await (const part of target.stream({ messages: [{ role: 'user', content }], maxTokens: 4 })) {
          if (part.type === 'usage') inputTokens = part.usage.inputTokens;
          if (part.type === 'text-delta') text += part.text;
        }
        expect(text.length).toBeGreaterThan(0);
        const evaluated = (sequences[0]?.tokenMeter.usedInputTokens ?? 0) - meterBefore;
        perRequest.push({
          contexts: counters.contexts - before.contexts,
          sequences: counters.sequences - before.sequences,
          tokenize: counters.tokenize - before.tokenize,
          renders: counters.renders - before.renders,
          inputTokens,
          evaluated,
        });
      }
    }
    expect(counters.contexts).toBe(1);
    // One sequence, created by the first request and reused by every later one.
    expect(counters.sequences).toBe(1);
    expect(perRequest.slice(1).every((work) => work.sequences === 0)).toBe(true);
    for (const work of perRequest) {
      expect(work.contexts).toBe(0);
      // The adapter counts the prompt's tokens (one render) and node-llama-cpp builds the prompt (one more).
      expect(work.renders, JSON.stringify(work)).toBeGreaterThan(0);
      expect(work.renders, JSON.stringify(work)).toBeLessThanOrEqual(3);
      expect(work.tokenize, JSON.stringify(work)).toBeLessThanOrEqual(32);
      // Prompt tokens evaluated: at most the prompt plus the tokens generated (each fed back once), never the
      // prompt twice; a shared prefix with the previous request (the chat template's start) is reused.
      expect(work.evaluated, JSON.stringify(work)).toBeLessThanOrEqual(work.inputTokens + 4);
    }
  });
});
