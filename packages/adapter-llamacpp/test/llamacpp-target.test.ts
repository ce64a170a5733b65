import { AbortError, type TargetCall } from '@switchyard/contract';
import { collect, ensureTinyModel, textOf } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppTarget, type LlamaCppTarget } from '../src/index.js';

const ask = (content: string, extra: Partial<TargetCall> = {}): TargetCall => ({
  messages: [{ role: 'user', content }],
  maxTokens: 16,
  temperature: 0,
  ...extra,
});

describe('createLlamaCppTarget on the generated tiny model', () => {
  let target: LlamaCppTarget;

  beforeAll(async () => {
    // One model load for the whole file; two sequences so the concurrency test can exceed them with a third caller.
    target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      contextSize: 1024,
      sequences: 2,
      gpu: false,
      defaultMaxTokens: 40,
    });
  });

  afterAll(async () => {
    await target?.dispose();
  });

  it('is ready before loading, loads lazily on the first call and counts tokens afterwards', async () => {
    expect(target.status()).toEqual({ state: 'ready' });
    expect(target.locality).toBe('local');
    expect(target.capabilities.countTokens?.('the model')).toBeUndefined();
    const result = await target.generate(ask('hello'));
    expect(result.text.length).toBeGreaterThan(0);
    expect(target.status()).toEqual({ state: 'ready' });
    expect(target.capabilities.contextWindow).toBeGreaterThanOrEqual(1024);
    expect(target.capabilities.countTokens?.('the model is ready.')).toBeGreaterThan(0);
    expect(target.capabilities.countTokens?.('the model is ready. the model is ready.')).toBeGreaterThan(
      target.capabilities.countTokens?.('the model is ready.') ?? 0,
    );
  });

  it('streams token by token, then usage, then one finish', async () => {
    const parts = await collect(target.stream(ask('Tell me about the train yard', { maxTokens: 12 })));
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(parts.at(-2)?.type).toBe('usage');
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    const usage = parts.find((part) => part.type === 'usage');
    expect(usage?.type === 'usage' && usage.usage.outputTokens).toBeLessThanOrEqual(12);
  });

  it('finishes with stop on some prompts and length on others', async () => {
    const reasons = new Set<string>();
    for (const prompt of ['What is the capital of France?', 'Hello there', 'Explain routing', 'Count to ten']) {
      reasons.add((await target.generate(ask(prompt, { maxTokens: 24 }))).finishReason);
    }
    expect(reasons).toEqual(new Set(['stop', 'length']));
  });

  it('stops at a stop sequence and leaves it out of the text', async () => {
    const free = await target.generate(ask('Explain routing', { maxTokens: 12 }));
    const words = free.text.split(' ');
    expect(words.length).toBeGreaterThan(3);
    const stopWord = words[2] as string;
    const stopped = await target.generate(ask('Explain routing', { maxTokens: 12, stop: [stopWord] }));
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(stopWord)));
  });

  it('caps generation at defaultMaxTokens when the call gives no maxTokens', async () => {
    const result = await target.generate({ messages: [{ role: 'user', content: 'Count to ten' }], temperature: 0 });
    expect(result.usage?.outputTokens).toBeLessThanOrEqual(40);
  });

  it('stops generating mid-stream on abort and frees the sequence', async () => {
    const controller = new AbortController();
    let deltas = 0;
    const consume = async () => {
      for await (const part of target.stream(ask('Count to ten', { maxTokens: 400, signal: controller.signal }))) {
        if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
      }
    };
    await expect(consume()).rejects.toSatisfy(AbortError.isInstance);
    expect(deltas).toBe(3);
    // Both sequences are free again: two calls run side by side without waiting for the aborted one.
    const [a, b] = await Promise.all([target.generate(ask('hi')), target.generate(ask('hello'))]);
    expect(a.text.length + b.text.length).toBeGreaterThan(0);
  });

  it('queues callers beyond the number of sequences instead of failing', async () => {
    const prompts = ['one', 'two', 'three', 'four', 'five'];
    const results = await Promise.all(prompts.map((prompt) => target.generate(ask(prompt, { maxTokens: 8 }))));
    expect(results).toHaveLength(5);
    for (const result of results) expect(result.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('rejects a queued call that is aborted before its turn, without disturbing the others', async () => {
    const controller = new AbortController();
    const running = [target.generate(ask('one', { maxTokens: 30 })), target.generate(ask('two', { maxTokens: 30 }))];
    const queued = target.generate(ask('three', { signal: controller.signal }));
    controller.abort();
    await expect(queued).rejects.toSatisfy(AbortError.isInstance);
    for (const result of await Promise.all(running)) expect(result.text.length).toBeGreaterThan(0);
  });

  it('produces JSON that parses and matches the schema for responseFormat json_schema', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { enum: ['yes', 'no'] }, count: { type: 'integer' } },
    };
    const result = await target.generate(
      ask('Is the yard open? Answer in JSON.', { maxTokens: 60, responseFormat: { type: 'json_schema', schema } }),
    );
    const parsed = JSON.parse(result.text) as { answer: string; count: number };
    expect(['yes', 'no']).toContain(parsed.answer);
    expect(Number.isInteger(parsed.count)).toBe(true);
  });

  it('returns a tool call with schema-valid arguments when a tool is required', async () => {
    const tools = [
      {
        name: 'set_signal',
        description: 'Sets a railway signal',
        parameters: { type: 'object', properties: { color: { enum: ['red', 'green'] }, track: { type: 'integer' } } },
      },
      { name: 'ring_bell', parameters: { type: 'object', properties: { times: { enum: [1, 2, 3] } } } },
    ];
    for (const toolChoice of ['required', { type: 'tool', name: 'ring_bell' }] as const) {
      const result = await target.generate(ask('Make the train stop.', { tools, toolChoice, maxTokens: 120 }));
      expect(result.finishReason).toBe('tool-calls');
      expect(result.toolCalls).toHaveLength(1);
      const [call] = result.toolCalls;
      expect(['set_signal', 'ring_bell']).toContain(call?.name);
      if (toolChoice !== 'required') expect(call?.name).toBe('ring_bell');
      const args = JSON.parse(call?.arguments ?? '') as Record<string, unknown>;
      if (call?.name === 'ring_bell') expect([1, 2, 3]).toContain(args.times);
      else expect(['red', 'green']).toContain(args.color);
    }
  });

  it('streams a required tool call as one tool-call part', async () => {
    const tools = [{ name: 'ring_bell', parameters: { type: 'object', properties: { times: { enum: [1, 2] } } } }];
    // The tiny vocabulary spells JSON punctuation byte by byte, so even a short call takes ~50 tokens.
    const parts = await collect(target.stream(ask('Ring it', { tools, toolChoice: 'required', maxTokens: 120 })));
    expect(parts.filter((part) => part.type === 'tool-call')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('returns no text and finish "length" when maxTokens cuts a required tool call', async () => {
    const tools = [{ name: 'ring_bell', parameters: { type: 'object', properties: { times: { enum: [1, 2] } } } }];
    // ~50 tokens make the call (see above): 6 cut it inside its JSON envelope.
    const request = ask('Ring it', { tools, toolChoice: 'required', maxTokens: 6 });
    const result = await target.generate(request);
    expect(result).toMatchObject({ text: '', toolCalls: [], finishReason: 'length' });
    expect(result.usage?.outputTokens).toBe(6);
    const parts = await collect(target.stream(request));
    expect(parts.filter((part) => part.type === 'text-delta' || part.type === 'tool-call')).toEqual([]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  it('answers in text when tools are offered with toolChoice auto and the model does not call one', async () => {
    const tools = [{ name: 'ring_bell', parameters: { type: 'object', properties: { times: { type: 'integer' } } } }];
    const result = await target.generate(ask('hello', { tools, maxTokens: 8 }));
    expect(result.toolCalls).toEqual([]);
    expect(['stop', 'length']).toContain(result.finishReason);
    // The tools were documented to the model through its chat wrapper.
    const plain = await target.generate(ask('hello', { maxTokens: 8 }));
    expect(result.usage?.inputTokens).toBeGreaterThan(plain.usage?.inputTokens ?? Number.POSITIVE_INFINITY);
  });

  it('continues after assistantPrefix and returns only the new text', async () => {
    const full = await target.generate(ask('Explain routing', { maxTokens: 10 }));
    const prefix = full.text.split(' ').slice(0, 3).join(' ');
    expect(prefix.length).toBeGreaterThan(0);
    const continued = await target.generate(ask('Explain routing', { maxTokens: 7, assistantPrefix: prefix }));
    expect(continued.text.length).toBeGreaterThan(0);
    // Greedy decoding restarts with the same words, so a target that ignored the prefix would repeat it.
    expect(continued.text.startsWith(prefix)).toBe(false);
    expect(continued.usage?.inputTokens).toBeGreaterThan(full.usage?.inputTokens ?? Number.POSITIVE_INFINITY);
    const streamed = textOf(
      await collect(target.stream(ask('Explain routing', { maxTokens: 7, assistantPrefix: prefix }))),
    );
    expect(streamed).toBe(continued.text);
  });

  it('rejects an image part with an InvalidRequestError naming it', async () => {
    const call: TargetCall = {
      messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,AA==' }] }],
      maxTokens: 4,
    };
    await expect(target.generate(call)).rejects.toThrow(/messages\[0\]\.content\[0\]/);
  });

  it('rejects a prompt longer than the context window', async () => {
    const long = 'the train '.repeat(2000);
    await expect(target.generate(ask(long))).rejects.toThrow(/context window/);
  });
});
