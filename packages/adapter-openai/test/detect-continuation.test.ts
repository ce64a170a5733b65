import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sseChunk as chunk, collect, sseDone as done, textOf } from '@switchyard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { versionAtLeast } from '../src/detect-continuation.js';
import { createOpenAITarget } from '../src/index.js';

/**
 * Protocol-faithful stand-ins for servers that cannot run here (vLLM, SGLang, TGI, Ollama, a hosted API): each serves
 * the identity routes its public API documents, with the recorded response shapes, and a chat endpoint that continues
 * a final assistant message only when that server would (the right body fields, a recent enough version). Otherwise
 * it answers from the start, as those servers do, which is what would repeat text after a failover.
 */
type Routes = Record<string, unknown>;
const answer = 'The quick brown fox jumps over the lazy dog.';

interface StandIn {
  baseURL: string;
  /** GET paths requested, in order. */
  gets: string[];
  /** Chat request bodies. */
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

async function startStandIn(routes: Routes, continues: (body: Record<string, unknown>) => boolean): Promise<StandIn> {
  const gets: string[] = [];
  const bodies: Record<string, unknown>[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const piece of req) chunks.push(piece as Buffer);
    const path = req.url ?? '/';
    if (req.method === 'GET') {
      gets.push(path);
      if (path in routes) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(routes[path]));
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    bodies.push(body);
    const messages = body.messages as { role: string; content: string }[];
    const last = messages.at(-1);
    const prefix = last?.role === 'assistant' && continues(body) ? last.content : '';
    const rest = answer.startsWith(prefix) ? answer.slice(prefix.length) : answer;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of rest.match(/\S+\s*/g) ?? []) res.write(chunk({ content: word }));
    res.end(`${chunk({}, 'stop')}${done}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    gets,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const models = (ownedBy: string) => ({
  object: 'list',
  data: [{ id: 'served', object: 'model', created: 0, owned_by: ownedBy }],
});
const withFlag = (body: Record<string, unknown>) => body.continue_final_message === true;
const vllmFlags = (body: Record<string, unknown>) =>
  body.continue_final_message === true && body.add_generation_prompt === false;

const servers: {
  name: string;
  routes: Routes;
  continues: (body: Record<string, unknown>) => boolean;
  expected: { server: string; continuation: boolean };
}[] = [
  {
    name: 'vLLM 0.8.5 stand-in',
    routes: {
      '/version': { version: '0.8.5' },
      '/v1/models': { ...models('vllm'), data: [{ id: 'served', owned_by: 'vllm', max_model_len: 4096 }] },
    },
    continues: vllmFlags,
    expected: { server: 'vllm', continuation: true },
  },
  {
    name: 'vLLM 0.5.4 stand-in (before continue_final_message)',
    routes: { '/version': { version: '0.5.4' }, '/v1/models': models('vllm') },
    continues: () => false,
    expected: { server: 'vllm', continuation: false },
  },
  {
    name: 'SGLang 0.4.6 stand-in',
    routes: {
      '/get_model_info': { model_path: 'meta-llama/Llama-3.1-8B-Instruct', tokenizer_path: 'x', is_generation: true },
      '/get_server_info': { version: '0.4.6.post1', tp_size: 1 },
      '/v1/models': models('sglang'),
    },
    continues: withFlag,
    expected: { server: 'sglang', continuation: true },
  },
  {
    name: 'TGI 3.2.3 stand-in',
    routes: {
      '/info': {
        model_id: 'meta-llama/Llama-3.1-8B-Instruct',
        model_dtype: 'torch.float16',
        router: 'text-generation-router',
        version: '3.2.3',
        max_input_tokens: 4095,
      },
      '/v1/models': models('meta-llama/Llama-3.1-8B-Instruct'),
    },
    continues: withFlag,
    expected: { server: 'tgi', continuation: true },
  },
  {
    name: 'Ollama 0.6.2 OpenAI endpoint stand-in',
    routes: { '/api/version': { version: '0.6.2' }, '/v1/models': models('library') },
    continues: () => true,
    expected: { server: 'ollama', continuation: true },
  },
  {
    name: 'hosted OpenAI-style API stand-in (no server identity)',
    routes: { '/v1/models': models('system') },
    continues: () => false,
    expected: { server: 'unknown', continuation: false },
  },
];

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('continuation detection', () => {
  it.each(servers)(
    'detects $name once, with the status check, and continues exactly after the prefix when it can',
    async ({ routes, continues, expected }) => {
      standIn = await startStandIn(routes, continues);
      const target = createOpenAITarget({ baseURL: standIn.baseURL, model: 'served' });
      expect(target.capabilities.continuation).toBeUndefined();
      expect(await target.checkStatus?.()).toEqual({ state: 'ready' });
      expect(target.capabilities.continuation).toBe(expected.continuation);
      const probes = standIn.gets.length;
      await target.checkStatus?.();
      expect(standIn.gets).toHaveLength(probes); // cached with the status check
      const prefix = 'The quick brown ';
      const continued = textOf(
        await collect(target.stream({ messages: [{ role: 'user', content: 'Go' }], assistantPrefix: prefix })),
      );
      if (expected.continuation) expect(prefix + continued).toBe(answer);
      else {
        // A target that cannot continue is never sent the prefix: the router does not fail over to it mid-stream.
        expect((standIn.bodies[0]?.messages as unknown[] | undefined)?.at(-1)).toEqual({ role: 'user', content: 'Go' });
        expect(continued).toBe(answer);
      }
      await target.dispose?.();
    },
  );

  it('sends vLLM its continue_final_message and add_generation_prompt fields, and SGLang only its flag', async () => {
    standIn = await startStandIn(servers[0]!.routes, vllmFlags);
    const vllm = createOpenAITarget({ baseURL: standIn.baseURL, model: 'served' });
    await vllm.checkStatus?.();
    await collect(vllm.stream({ messages: [{ role: 'user', content: 'Go' }], assistantPrefix: 'The ' }));
    expect(standIn.bodies[0]).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    await standIn.close();
    standIn = await startStandIn(servers[2]!.routes, withFlag);
    const sglang = createOpenAITarget({ baseURL: standIn.baseURL, model: 'served' });
    await sglang.checkStatus?.();
    await collect(sglang.stream({ messages: [{ role: 'user', content: 'Go' }], assistantPrefix: 'The ' }));
    expect(standIn.bodies[0]).toMatchObject({ continue_final_message: true });
    expect(standIn.bodies[0]).not.toHaveProperty('add_generation_prompt');
  });

  it('lets capabilities.continuation true | false override detection, without probing for it', async () => {
    standIn = await startStandIn(servers[0]!.routes, vllmFlags);
    for (const continuation of [true, false]) {
      const target = createOpenAITarget({
        baseURL: standIn.baseURL,
        model: 'served',
        capabilities: { continuation },
        continueFinalMessage: true,
      });
      await target.checkStatus?.();
      expect(target.capabilities.continuation).toBe(continuation);
    }
    expect(standIn.gets).toEqual(['/v1/models', '/v1/models']); // the health probes only
  });

  it('leaves continuation unknown (so the router never continues on it) while the server is down', async () => {
    standIn = await startStandIn(servers[0]!.routes, vllmFlags);
    const baseURL = standIn.baseURL;
    await standIn.close();
    const target = createOpenAITarget({ baseURL, model: 'served', healthCacheMs: 0 });
    expect((await target.checkStatus?.())?.state).toBe('unavailable');
    expect(target.capabilities.continuation).toBeUndefined();
  });

  it('compares versions numerically, with suffixes', () => {
    expect(versionAtLeast('0.6.3.post1', '0.6.3')).toBe(true);
    expect(versionAtLeast('0.10.0', '0.6.3')).toBe(true);
    expect(versionAtLeast('v3.0.0', '3.0.0')).toBe(true);
    expect(versionAtLeast('0.6.2', '0.6.3')).toBe(false);
    expect(versionAtLeast('dev', '0.6.3')).toBe(false);
    expect(versionAtLeast(undefined, '0.6.3')).toBe(false);
  });
});
