import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createRouter, type Router } from '@switchyard/core';
import { type Fault, type FaultProxy, startFaultProxy } from '@switchyard/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/index.js';

const words = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog.'];
const answer = words.join('');

/**
 * Loopback stand-ins for two kinds of OpenAI-compatible upstream. `llama.cpp`: a stand-in for llama.cpp's server as its
 * docs describe it: it answers `GET /props` and continues a final assistant message (only the new words are sent).
 * `plain`: a server with no identity route that starts every answer over, as most hosted APIs do.
 */
async function startUpstream(kind: 'llama.cpp' | 'plain'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const path = request.url ?? '/';
      if (request.method === 'GET') {
        if (path === '/v1/models') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'llamacpp' }] }));
        } else if (path === '/props' && kind === 'llama.cpp') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ default_generation_settings: { n_ctx: 4096 }, total_slots: 1 }));
        } else {
          response.writeHead(404).end();
        }
        return;
      }
      const parsed = JSON.parse(body) as { messages: { role: string; content: string }[] };
      const last = parsed.messages.at(-1);
      let start = 0;
      if (kind === 'llama.cpp' && last?.role === 'assistant') {
        while (words.slice(0, start).join('').length < last.content.length) start += 1;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      for (const word of words.slice(start)) response.write(chunk({ content: word }));
      response.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const faults: [string, Fault][] = [
  ['a reset mid-stream', { type: 'reset-after-events', events: 3 }],
  ['a stream cut after three words (clean end, no finish)', { type: 'end-after-events', events: 3 }],
  ['a stream without [DONE]', { type: 'drop-done' }],
  ['a stall after three words', { type: 'hang-after-events', events: 3 }],
];

/** What a client that concatenates `delta.content` shows, and what the official client raised. */
async function consume(client: OpenAI): Promise<{ text: string; error: unknown; finishReasons: string[] }> {
  let text = '';
  const finishReasons: string[] = [];
  try {
    const stream = await client.chat.completions.create({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'Tell me about foxes' }],
      stream: true,
    });
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      const reason = chunk.choices[0]?.finish_reason;
      if (reason) finishReasons.push(reason);
    }
    return { text, error: undefined, finishReasons };
  } catch (error) {
    return { text, error, finishReasons };
  }
}

describe.each([
  ['with a continuation-capable fallback (llama.cpp server stand-in, detected)', 'llama.cpp' as const],
  ['with a fallback that cannot continue (plain OpenAI-compatible stand-in)', 'plain' as const],
])('gateway mid-stream failover, default settings, %s', (_name, fallbackKind) => {
  let primaryUpstream: Awaited<ReturnType<typeof startUpstream>>;
  let fallbackUpstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: FaultProxy;
  let router: Router;
  let primary: ReturnType<typeof createOpenAITarget>;
  let gateway: Gateway;
  let client: OpenAI;
  let url: string;

  beforeAll(async () => {
    primaryUpstream = await startUpstream('plain');
    fallbackUpstream = await startUpstream(fallbackKind);
    proxy = await startFaultProxy({ upstream: primaryUpstream.url });
    // Health probes go straight to the upstream, so they never take a fault queued for a chat request.
    primary = createOpenAITarget({
      baseURL: `${proxy.url}/v1`,
      model: 'm',
      healthURL: `${primaryUpstream.url}/v1/models`,
      healthCacheMs: 0,
    });
    await primary.checkStatus?.(); // its one-time detection runs now, before any fault is queued
    router = createRouter({
      // Default target settings: nothing says which server can continue; the fallback's is detected.
      targets: {
        primary,
        fallback: createOpenAITarget({ baseURL: `${fallbackUpstream.url}/v1`, model: 'm' }),
      },
      // Even a policy that opts into visible restarts must not make the gateway send text twice.
      policy: { mode: 'remote-only', execution: { retries: 0, stallTimeoutMs: 500, midStream: 'restart' } },
    });
    gateway = createGateway({ router });
    url = await gateway.listen({ port: 0 });
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await router?.dispose();
    await proxy?.close();
    await primaryUpstream?.close();
    await fallbackUpstream?.close();
  });

  it.each(faults)('never sends text twice to the official openai client after %s', async (_fault, fault) => {
    // A reset marks the primary unavailable until a probe says otherwise: probe it so each case starts on it.
    expect(await primary.checkStatus?.()).toEqual({ state: 'ready' });
    proxy.queueFaults(fault);
    const { text, error, finishReasons } = await consume(client);
    expect(proxy.requests.at(-1)?.fault).toEqual(fault);
    if (fallbackKind === 'llama.cpp') {
      expect(error).toBeUndefined();
      expect(text).toBe(answer);
      expect(finishReasons).toEqual(['stop']);
    } else {
      // The exact text delivered so far, then an error the client raises (it reads `error` before the chunk's
      // finish_reason "error", which is there for readers that look only at choices).
      expect(answer.startsWith(text)).toBe(true);
      expect(text.length).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.code).toBe('stream_interrupted');
      expect(apiError.message).toContain('Stream interrupted');
      expect(finishReasons).toEqual([]);
    }
  });

  it('ends the raw SSE stream with one OpenAI-shaped chunk carrying the error and finish_reason, never a restart', async () => {
    expect(await primary.checkStatus?.()).toEqual({ state: 'ready' });
    proxy.queueFaults({ type: 'reset-after-events', events: 3 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: '));
    const done = events.includes('data: [DONE]');
    const chunks = events
      .filter((event) => event !== 'data: [DONE]')
      .map((event) => JSON.parse(event.slice(6)) as { choices?: { delta?: { content?: string } }[] });
    const text = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    if (fallbackKind === 'llama.cpp') {
      expect(text).toBe(answer);
      expect(done).toBe(true);
      return;
    }
    expect(text).toBe('The quick brown');
    expect(done).toBe(false);
    expect(chunks.at(-1)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: {}, finish_reason: 'error' }],
      error: { code: 'stream_interrupted', type: 'server_error', switchyard: { reason: 'no-continuation' } },
    });
  });
});
