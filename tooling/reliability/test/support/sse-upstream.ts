import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the upstream answers to one chat request. */
export interface Answer {
  /** Streamed one word per SSE event (with the spaces kept), or returned whole without streaming. */
  words: string[];
  /** A tool call streamed after the words (name and JSON arguments), when set. */
  toolCall?: { name: string; arguments: string };
  /** Milliseconds between events (default 0: one macrotask, so events reach the client as separate chunks). */
  eventDelayMs?: number;
}

/** Options of {@link startSseUpstream}. */
export interface SseUpstreamOptions {
  /** Decides the answer from the parsed request body. Default: five words. */
  answer?: (body: Record<string, unknown>) => Answer;
  /**
   * `llama.cpp`: also answer `GET /props` as llama.cpp's server does, so adapter-openai detects that it continues a
   * final assistant message (which this stand-in always does). Default: no identity route (continuation undetected).
   */
  identity?: 'llama.cpp';
}

/** A running upstream. */
export interface SseUpstream {
  /** The origin, e.g. `http://127.0.0.1:41234` (the API lives under `/v1`). */
  readonly url: string;
  /** Chat requests answered so far. */
  readonly served: () => number;
  openConnections(): number;
  close(): Promise<void>;
}

const defaultWords = ['Signals', ' are', ' green', ' on', ' track', ' nine.'];

/**
 * Continuation, as llama-server does it: when the last message is the assistant's, the answer goes on after that text
 * (only the new words are sent).
 */
function continueAnswer(answer: Answer, body: Record<string, unknown>): Answer {
  const messages = body.messages as Array<{ role?: string; content?: unknown }> | undefined;
  const last = messages?.at(-1);
  if (last?.role !== 'assistant' || typeof last.content !== 'string' || last.content === '') return answer;
  const prefix = last.content;
  let shown = '';
  let index = 0;
  while (index < answer.words.length && shown.length < prefix.length) shown += answer.words[index++];
  if (shown !== prefix) return { ...answer, words: [] };
  return { ...answer, words: answer.words.slice(index) };
}

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-stand-in',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'stand-in',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

/**
 * A fast, protocol-faithful OpenAI-compatible chat server on node:http: `/v1/chat/completions` streamed as llama.cpp
 * and vLLM do (a role delta, one content delta per word, tool-call deltas, a finish-reason chunk, a usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`), or answered whole; `/v1/models`; `/health`. It stands
 * in for a GPU endpoint where the real llama-server would be far too slow on two cores (1,000 concurrent streams).
 */
export async function startSseUpstream(options: SseUpstreamOptions = {}): Promise<SseUpstream> {
  const answerFor = options.answer ?? (() => ({ words: defaultWords }));
  const sockets = new Set<Socket>();
  let served = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pieces: Buffer[] = [];
    for await (const piece of req) pieces.push(piece as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/props' && options.identity === 'llama.cpp') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ default_generation_settings: { n_ctx: 4096 }, total_slots: 4 }));
      return;
    }
    if (path === '/v1/models') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data: [{ id: 'stand-in', object: 'model', owned_by: 'reliability' }] }));
      return;
    }
    if (path !== '/v1/chat/completions' || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(pieces).toString('utf8')) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid JSON"}}');
      return;
    }
    served += 1;
    const answer = continueAnswer(answerFor(body), body);
    const text = answer.words.join('');
    const finishReason = answer.toolCall ? 'tool_calls' : 'stop';
    const usage = { prompt_tokens: 12, completion_tokens: answer.words.length, total_tokens: 12 + answer.words.length };
    const toolCalls = answer.toolCall
      ? [
          {
            id: 'call_1',
            type: 'function',
            function: { name: answer.toolCall.name, arguments: answer.toolCall.arguments },
          },
        ]
      : undefined;
    if (body.stream !== true) {
      const message = { role: 'assistant', content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-stand-in',
          object: 'chat.completion',
          created: 0,
          model: 'stand-in',
          choices: [{ index: 0, message, finish_reason: finishReason }],
          usage,
        }),
      );
      return;
    }
    const events = [chunk({ role: 'assistant', content: '' }), ...answer.words.map((word) => chunk({ content: word }))];
    if (toolCalls) events.push(chunk({ tool_calls: toolCalls.map((call, index) => ({ index, ...call })) }));
    events.push(chunk({}, finishReason));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      events.push(
        `data: ${JSON.stringify({ id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
      );
    }
    events.push('data: [DONE]\n\n');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of events) {
      if (res.destroyed) return;
      res.write(event);
      await new Promise((resolve) => setTimeout(resolve, answer.eventDelayMs ?? 0));
    }
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    openConnections: () => sockets.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
