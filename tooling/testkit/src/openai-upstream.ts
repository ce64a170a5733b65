import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the upstream answers to one chat request. */
export interface OpenAIUpstreamAnswer {
  /** Streamed one word per SSE event (with the spaces kept), or returned whole without streaming. */
  words: string[];
  /** A tool call streamed after the words (name and JSON arguments), when set. */
  toolCall?: { name: string; arguments: string };
  /** Milliseconds between events (default 0: one macrotask, so events reach the client as separate chunks). */
  eventDelayMs?: number;
}

/**
 * Raw SSE pieces for one streaming request, written one by one (a macrotask apart; raw bytes, which can cut a
 * multi-byte character in two, 50 ms apart), for tests of malformed, truncated or split streams.
 */
export type OpenAIUpstreamScript = (body: Record<string, unknown>) => (string | Uint8Array)[];

/** A model `GET /v1/models` lists. */
export interface OpenAIUpstreamModel {
  id: string;
  owned_by?: string;
  max_model_len?: number;
}

/** Options of {@link startOpenAIUpstream}. */
export interface OpenAIUpstreamOptions {
  /** Decides the answer from the parsed request body. Default: six words. */
  answer?: (body: Record<string, unknown>) => OpenAIUpstreamAnswer;
  /** Streams these raw pieces instead of `answer`; a request without streaming gets the answer they spell. */
  script?: OpenAIUpstreamScript;
  /**
   * Continue a final assistant message as llama-server does: the answer goes on after that text (only the new words
   * are sent; a prefix the words do not start with gets no words). Default false.
   */
  continueFinalMessage?: boolean;
  /**
   * `llama.cpp`: also answer `GET /props` as llama.cpp's server does, so adapter-openai detects that it continues a
   * final assistant message. Default: no identity route (continuation undetected).
   */
  identity?: 'llama.cpp';
  /** `prompt_tokens` of every answer's usage (`completion_tokens` is the word count). Default 12. */
  promptTokens?: number;
  /** What `GET /v1/models` lists. Default: one model, `stand-in`. */
  models?: OpenAIUpstreamModel[];
  /**
   * Send CORS headers as llama-server does (any origin, any method and request header; preflights answered with a
   * 204), so a web page on another loopback origin can call it. Default false.
   */
  cors?: boolean;
}

/** A running upstream. */
export interface OpenAIUpstream {
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The API root, `<url>/v1`. */
  readonly baseURL: string;
  /** The parsed body of each chat request, in order. */
  readonly bodies: Record<string, unknown>[];
  /** The headers of each chat request, in order. */
  readonly headers: IncomingHttpHeaders[];
  /** Chat requests answered so far. */
  served(): number;
  /** Streaming responses the client closed before their last event was written. */
  cutShort(): number;
  openConnections(): number;
  /** Streams raw pieces from now on (see {@link OpenAIUpstreamOptions.script}). */
  setScript(script: OpenAIUpstreamScript | undefined): void;
  close(): Promise<void>;
}

/** One chunk of an OpenAI chat completion stream, as an SSE event. */
export function sseChunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-stand-in',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'stand-in',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

/** The usage chunk a stream ends with when `stream_options.include_usage` is set. */
export function sseUsageChunk(promptTokens: number, completionTokens: number): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-stand-in',
    object: 'chat.completion.chunk',
    choices: [],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens },
  })}\n\n`;
}

/** The stream's terminator. */
export const sseDone = 'data: [DONE]\n\n';

const defaultWords = ['Signals', ' are', ' green', ' on', ' track', ' nine.'];
const defaultModels: OpenAIUpstreamModel[] = [{ id: 'stand-in', owned_by: 'testkit' }];

/** Continuation, as llama-server does it: when the last message is the assistant's, only the words after it. */
function continueAnswer(answer: OpenAIUpstreamAnswer, body: Record<string, unknown>): OpenAIUpstreamAnswer {
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

interface Whole {
  text: string;
  toolCalls: Record<string, unknown>[];
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens?: number };
}

/** The answer a script spells, for a request without streaming: its text, tool calls, finish reason and usage. */
function wholeFromScript(pieces: (string | Uint8Array)[]): Whole {
  const whole: Whole = {
    text: '',
    toolCalls: [],
    finishReason: null,
    usage: { prompt_tokens: 0, completion_tokens: 0 },
  };
  let contentChunks = 0;
  let usage: Whole['usage'] | undefined;
  for (const piece of pieces) {
    if (typeof piece !== 'string' || !piece.startsWith('data: {')) continue;
    const parsed = JSON.parse(piece.slice(6)) as {
      choices?: { delta?: { content?: string; tool_calls?: Record<string, unknown>[] }; finish_reason?: string }[];
      usage?: Whole['usage'];
    };
    const choice = parsed.choices?.[0];
    if (choice?.delta?.content) contentChunks += 1;
    whole.text += choice?.delta?.content ?? '';
    whole.toolCalls.push(...(choice?.delta?.tool_calls ?? []));
    whole.finishReason = choice?.finish_reason ?? whole.finishReason;
    usage = parsed.usage ?? usage;
  }
  whole.usage = usage ?? { prompt_tokens: 12, completion_tokens: contentChunks };
  return whole;
}

/**
 * A protocol-faithful OpenAI-compatible chat server on node:http, the one stand-in for an OpenAI-compatible GPU
 * endpoint in tests where the real llama-server cannot serve (1,000 concurrent streams on two cores, malformed or
 * truncated streams, a slow stream to act on mid-way): `/v1/chat/completions` streamed as llama.cpp and vLLM do (a role
 * delta, one content delta per word, tool-call deltas, a finish-reason chunk, a usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`) or answered whole, or a script's raw SSE pieces;
 * `/v1/models`; `/health`. Records each chat request's body and headers.
 *
 * @example
 * ```ts
 * const upstream = await startOpenAIUpstream({ answer: () => ({ words: ['Hi', ' there'], eventDelayMs: 20 }) });
 * const gpu = createOpenAITarget({ baseURL: upstream.baseURL, model: 'stand-in' });
 * ```
 */
export async function startOpenAIUpstream(options: OpenAIUpstreamOptions = {}): Promise<OpenAIUpstream> {
  const answerFor: (body: Record<string, unknown>) => OpenAIUpstreamAnswer =
    options.answer ?? (() => ({ words: defaultWords }));
  let script = options.script;
  const bodies: Record<string, unknown>[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const sockets = new Set<Socket>();
  let served = 0;
  let cutShort = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received: Buffer[] = [];
    for await (const piece of req) received.push(piece as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    if (options.cors) {
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
            'access-control-max-age': '600',
          })
          .end();
        return;
      }
    }
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
      const data = (options.models ?? defaultModels).map((model) => ({ object: 'model', ...model }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
      return;
    }
    if (path !== '/v1/chat/completions' || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(received).toString('utf8')) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid JSON"}}');
      return;
    }
    served += 1;
    bodies.push(body);
    headers.push(req.headers);

    let events: (string | Uint8Array)[];
    let delayMs = 0;
    if (script) {
      events = script(body);
      if (body.stream !== true) {
        const whole = wholeFromScript(events);
        const message = {
          role: 'assistant',
          content: whole.text,
          ...(whole.toolCalls.length > 0 ? { tool_calls: whole.toolCalls } : {}),
        };
        respondWhole(res, message, whole.finishReason, whole.usage);
        return;
      }
      delayMs = 1;
    } else {
      const answer = options.continueFinalMessage ? continueAnswer(answerFor(body), body) : answerFor(body);
      const finishReason = answer.toolCall ? 'tool_calls' : 'stop';
      const completion = answer.words.length;
      const prompt = options.promptTokens ?? 12;
      const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
      const toolCalls = answer.toolCall ? [{ id: 'call_1', type: 'function', function: answer.toolCall }] : undefined;
      if (body.stream !== true) {
        const message = {
          role: 'assistant',
          content: answer.words.join(''),
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        };
        respondWhole(res, message, finishReason, usage);
        return;
      }
      events = [
        sseChunk({ role: 'assistant', content: '' }),
        ...answer.words.map((word) => sseChunk({ content: word })),
      ];
      if (toolCalls) events.push(sseChunk({ tool_calls: toolCalls.map((call, index) => ({ index, ...call })) }));
      events.push(sseChunk({}, finishReason));
      const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
      if (streamOptions?.include_usage) events.push(sseUsageChunk(usage.prompt_tokens, usage.completion_tokens));
      events.push(sseDone);
      delayMs = answer.eventDelayMs ?? 0;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.on('close', () => {
      if (!res.writableFinished) cutShort += 1;
    });
    for (const event of events) {
      if (res.destroyed) return;
      res.write(event);
      // A macrotask (at least) between events so they reach the client as separate chunks; raw bytes (a cut
      // character) get a longer pause, so the client surely reads them apart.
      await new Promise((resolve) => setTimeout(resolve, typeof event === 'string' ? delayMs : 50));
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
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    bodies,
    headers,
    served: () => served,
    cutShort: () => cutShort,
    openConnections: () => sockets.size,
    setScript(next) {
      script = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function respondWhole(
  res: ServerResponse,
  message: Record<string, unknown>,
  finishReason: string | null,
  usage: Whole['usage'],
): void {
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
}
