// The two arms every row compares. The direct arm is what an app would write without Switchyard: `undici.request`
// on an `Agent` with the adapter's own settings, a JSON.parse of the reply, and a minimal SSE parser for streams.
// The routed arm is `router.generate` / `router.stream` over `@switchyard/adapter-openai`.
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createRouter } from '@switchyard/core';
import { Agent, request } from 'undici';

/** The adapter's default keep-alive Agent settings (see adapter-openai's `defaultAgent`). */
export const agentSettings = { keepAliveTimeout: 10_000 };

export const prompt = 'Say hello to the benchmark.';
export const maxTokens = 16;

/** The request the router receives. */
export function routedRequest(content = prompt) {
  return { messages: [{ role: 'user', content }], maxTokens };
}

/** Wall-clock milliseconds with sub-µs resolution; the upstream stamps chunks with the same clock. */
export const now = () => performance.timeOrigin + performance.now();

export function createDirectAgent() {
  return new Agent(agentSettings);
}

/** A direct, non-streaming chat completion; resolves with the answer text. */
export async function directJson(agent, origin, model, content = prompt) {
  const response = await request(`${origin}/v1/chat/completions`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: maxTokens, stream: false }),
  });
  if (response.statusCode >= 400) {
    await response.body.text();
    throw new Error(`direct call: HTTP ${response.statusCode}`);
  }
  const json = await response.body.json();
  return json.choices[0].message.content;
}

/**
 * A direct streaming chat completion with a minimal SSE parser. Calls `onText(text, receivedAtMs)` per content
 * chunk; resolves with the number of chunks once `[DONE]` arrives. Rejects on a non-2xx status or a broken stream.
 */
export async function directStream(agent, origin, model, onText, content = prompt) {
  const response = await request(`${origin}/v1/chat/completions`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content }],
      max_tokens: maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (response.statusCode >= 400) {
    await response.body.text();
    throw new Error(`direct stream: HTTP ${response.statusCode}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  let chunks = 0;
  for await (const bytes of response.body) {
    buffered += decoder.decode(bytes, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      if (data === '[DONE]') {
        response.body.destroy();
        return chunks;
      }
      const text = JSON.parse(data).choices[0]?.delta?.content;
      if (text) {
        chunks += 1;
        onText(text, now());
      }
    }
  }
  throw new Error('direct stream: ended without [DONE]');
}

/**
 * A router over one adapter-openai target (the routed arm). Default policy (prefer-local, PII detection on, one
 * retry), so every call pays for validation, the decision, the PII scan, the attempt bookkeeping and the stats.
 */
export function createRoutedArm(origin, model, { policy, extraTargets } = {}) {
  const gpu = createOpenAITarget({ baseURL: `${origin}/v1`, model, id: 'gpu' });
  const router = createRouter({ targets: { ...extraTargets, gpu }, ...(policy ? { policy } : {}) });
  return { router, target: gpu };
}

/** Streams through the router; calls `onText(text, receivedAtMs)` per text delta; resolves with the chunk count. */
export async function routedStream(router, onText, content = prompt) {
  let chunks = 0;
  let finished = false;
  for await (const part of router.stream(routedRequest(content))) {
    if (part.type === 'text-delta') {
      chunks += 1;
      onText(part.text, now());
    } else if (part.type === 'finish') finished = true;
  }
  if (!finished) throw new Error('routed stream: no finish part');
  return chunks;
}

/**
 * Runs `total` calls of `fn` with `concurrency` workers; returns each call's latency in µs and the elapsed
 * nanoseconds of the whole batch. A failed call rejects the batch: a benchmark that hides errors measures nothing.
 */
export async function runConcurrent(total, concurrency, fn) {
  const latencies = new Float64Array(total);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const start = process.hrtime.bigint();
      await fn(index);
      latencies[index] = Number(process.hrtime.bigint() - start) / 1000;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, elapsedNs: Number(process.hrtime.bigint() - started) };
}

/**
 * One request at a time, the arms taking turns request by request (in alternating order), so every arm sees the
 * same moment of a noisy machine: at concurrency 1 that pairs the samples far better than one block per arm.
 * Resolves with each arm's latencies in µs.
 */
export async function runInterleaved(total, arms) {
  const names = Object.keys(arms);
  const latencies = Object.fromEntries(names.map((name) => [name, new Float64Array(total)]));
  for (let index = 0; index < total; index += 1) {
    for (const name of armOrder(names, index)) {
      const start = process.hrtime.bigint();
      await arms[name](index);
      latencies[name][index] = Number(process.hrtime.bigint() - start) / 1000;
    }
  }
  return latencies;
}

/** Alternates which arm goes first, round by round, so neither always runs on a warmer (or noisier) machine. */
export function armOrder(arms, round) {
  return round % 2 === 0 ? arms : [...arms].reverse();
}

/**
 * An in-process remote target that yields `parts` at once, with no network: for measuring the router's own CPU
 * (`core-overhead.mjs`, `idle-penalty.mjs`).
 */
export function createInstantTarget(parts) {
  return {
    specificationVersion: 'v1',
    id: 'instant',
    locality: 'remote',
    capabilities: { contextWindow: 8192, maxOutputTokens: 1024, tools: true, jsonSchema: true, images: false },
    status: () => ({ state: 'ready' }),
    async generate() {
      throw new Error('not used');
    },
    async *stream() {
      yield* parts;
    },
  };
}
