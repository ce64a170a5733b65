import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetCall } from '@switchyard/contract';
import { sseChunk as chunk, collect, sseDone as done } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget } from '../src/index.js';

const call: TargetCall = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };

/** The `usage` field as servers send it (or leave it out); `undefined` means the key is absent. */
const shapes: [string, unknown][] = [
  ['no usage field', undefined],
  ['usage: null', null],
  ['an empty usage object', {}],
  ['only prompt_tokens', { prompt_tokens: 7 }],
  ['only completion_tokens', { completion_tokens: 3 }],
  ['a null count', { prompt_tokens: 7, completion_tokens: null }],
];

/**
 * A protocol-faithful loopback stand-in for OpenAI-compatible servers that omit usage or send only part of it (the
 * shapes in `shapes`, as such servers answer): JSON for `stream: false`, SSE otherwise, with the usage the test set.
 */
async function startStandIn() {
  let usage: unknown;
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (part: Buffer) => body.push(part));
    req.on('end', () => {
      const stream = (JSON.parse(Buffer.concat(body).toString()) as { stream?: boolean }).stream === true;
      const withUsage = usage === undefined ? {} : { usage };
      if (!stream) {
        const message = { role: 'assistant', content: 'Hello there' };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            choices: [{ index: 0, message, finish_reason: 'stop' }],
            ...withUsage,
          }),
        );
        return;
      }
      const usageChunk =
        usage === undefined
          ? ''
          : `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [], usage })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunk({ content: 'Hello there' }) + chunk({}, 'stop') + usageChunk + done);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setUsage(next: unknown) {
      usage = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('adapter-openai reports no usage for counts the server did not give (never 0)', () => {
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  beforeAll(async () => {
    standIn = await startStandIn();
  });
  afterAll(async () => {
    await standIn?.close();
  });

  const target = () => createOpenAITarget({ baseURL: `${standIn.url}/v1`, model: 'stand-in' });

  it.each(shapes)('a JSON answer with %s has no usage', async (_name, usage) => {
    standIn.setUsage(usage);
    const result = await target().generate(call);
    expect(result.text).toBe('Hello there');
    expect(result.usage).toBeUndefined();
    expect('usage' in result).toBe(false);
  });

  it.each(shapes)('a stream with %s has no usage part', async (_name, usage) => {
    standIn.setUsage(usage);
    const parts = await collect(target().stream(call));
    expect(parts.filter((part) => part.type === 'usage')).toEqual([]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('reports both counts when the server gives both (0 included: a count, not a gap)', async () => {
    standIn.setUsage({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
    expect((await target().generate(call)).usage).toEqual({ inputTokens: 7, outputTokens: 0 });
    const parts = await collect(target().stream(call));
    expect(parts.filter((part) => part.type === 'usage')).toEqual([
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 0 } },
    ]);
  });
});
