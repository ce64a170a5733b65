/**
 * A protocol-faithful Ollama stand-in: a loopback HTTP server written from Ollama's public API documentation, for
 * tests only (no Ollama can be installed here). It is not Ollama and runs no model: a tiny word generator seeded by
 * the prompt produces deterministic text token by token with small delays.
 *
 * Shapes it follows (ollama/ollama docs/api.md, and docs.ollama.com/api/errors for errors):
 * - `POST /api/chat` `{ model, messages[{ role, content, images?, tool_calls?, tool_name? }], tools?, format?,
 *   options{ num_predict, temperature, top_p, stop, seed, num_ctx, ... }, stream = true, keep_alive? }`.
 *   Streaming: `application/x-ndjson`, one JSON object per line: `{ model, created_at, message{ role: "assistant",
 *   content }, done: false }`, then a final `{ ..., done: true, done_reason: "stop" | "length", total_duration,
 *   load_duration, prompt_eval_count, prompt_eval_duration, eval_count, eval_duration }`. `stream: false` returns
 *   that final object with the whole `message.content`. Tool calls come as `message.tool_calls[{ function{ name,
 *   arguments } }]` with `arguments` a JSON OBJECT. An empty `messages` array loads the model and answers
 *   `done_reason: "load"`. A final assistant message is continued, not answered.
 * - Errors: `{ "error": "..." }` with the HTTP status (404 `model 'x' not found, try pulling it first` for a model
 *   that is not pulled); after streaming has begun, an `{ "error": "..." }` line with the status left at 200.
 * - `GET /api/tags` `{ models[{ name, model, modified_at, size, digest, details }] }`; `GET /api/ps` the same plus
 *   `expires_at`, `size_vram`, `context_length` for models in memory (a model that is loading is listed already).
 * - `POST /api/show` `{ model }` → `{ modelfile, parameters, template, details, model_info{ "<arch>.context_length" },
 *   capabilities[] }`.
 * - `POST /api/pull` `{ model, stream }` → NDJSON `{ status: "pulling manifest" }`, `{ status, digest, total,
 *   completed? }` per layer, `{ status: "verifying sha256 digest" }`, `{ status: "writing manifest" }`,
 *   `{ status: "success" }`; an unknown model → an `{ error }` line.
 *
 * Tests can make it misbehave once: an error status, a malformed line, an error line, a stream without `done: true`,
 * a hang, or a non-streamed answer that never ends or declares 64 MiB (connection-level faults come from the testkit's fault proxy, in the shared fault suite).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  fnv1a,
  type OversizedAnswer,
  sendJson as sendJsonResponse,
  sendOversized,
  standInWord,
  startStandInServer,
} from '@switchyard/testkit';

export type OllamaFault =
  | { kind: 'status'; status: number; error: string; retryAfter?: string }
  | { kind: 'malformed-line' }
  | { kind: 'error-line' }
  | { kind: 'no-done' }
  | { kind: 'hang' }
  | { kind: 'oversized'; declared?: boolean };

export interface OllamaStandInOptions {
  /** Models already pulled. Default `['tiny:latest']`. */
  pulled?: string[];
  /** Models already in memory. Default: none (the first call loads). */
  loaded?: string[];
  /** Delay between tokens, ms. Default 2. */
  tokenDelayMs?: number;
  /** How long loading a cold model takes, ms. Default 0. */
  loadDelayMs?: number;
  /** `/api/show` capabilities. Default `['completion', 'tools']`. */
  capabilities?: string[];
  /** `PARAMETER num_ctx` in the Modelfile. Default 8192. */
  modelfileNumCtx?: number;
  /** The loopback port to listen on (to bring a daemon "up" where a target already looks). Default: a free one. */
  port?: number;
  /** Writes every NDJSON line in two pieces, split mid-object, to exercise the client's line splitting. */
  fragmentWrites?: boolean;
}

export interface OllamaStandIn {
  url: string;
  /** Every request body received, in order, with its path. */
  requests: { path: string; body: Record<string, unknown>; headers: IncomingHttpHeaders }[];
  pulled: Set<string>;
  loaded: Set<string>;
  /** The last `oversized` answer sent: bytes written and whether the client closed its connection. */
  readonly oversized: OversizedAnswer | undefined;
  /** Misbehave on the next `/api/chat` request only. */
  failNext(fault: OllamaFault): void;
  close(): Promise<void>;
}

const fullName = (name: string) => (name.includes(':') ? name : `${name}:latest`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ollama labels its JSON with a charset. */
const jsonType = 'application/json; charset=utf-8';
function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  sendJsonResponse(response, status, body, { 'content-type': jsonType, ...headers });
}

function modelEntry(name: string) {
  return {
    name,
    model: name,
    modified_at: '2025-01-01T00:00:00Z',
    size: 4_000_000,
    digest: fnv1a(name).toString(16).padStart(64, '0'),
    details: { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1M', quantization_level: 'F32' },
  };
}

interface ChatMessage {
  role: string;
  content: string;
}

export async function startOllamaStandIn(options: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  const pulled = new Set((options.pulled ?? ['tiny:latest']).map(fullName));
  const loaded = new Set((options.loaded ?? []).map(fullName));
  const tokenDelayMs = options.tokenDelayMs ?? 2;
  let fault: OllamaFault | undefined;
  let oversized: OversizedAnswer | undefined;

  async function writeLine(response: ServerResponse, value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    if (!options.fragmentWrites) {
      response.write(line);
      return;
    }
    const middle = Math.floor(line.length / 2);
    response.write(line.slice(0, middle));
    await sleep(1);
    response.write(line.slice(middle));
  }

  async function chat(response: ServerResponse, body: Record<string, unknown>) {
    const model = fullName(String(body.model ?? ''));
    if (!pulled.has(model)) {
      sendJson(response, 404, { error: `model '${String(body.model)}' not found, try pulling it first` });
      return;
    }
    const current = fault;
    fault = undefined;
    if (current?.kind === 'status') {
      sendJson(
        response,
        current.status,
        { error: current.error },
        current.retryAfter ? { 'retry-after': current.retryAfter } : {},
      );
      return;
    }
    if (current?.kind === 'oversized') {
      const head = `{"model":${JSON.stringify(String(body.model))},"message":{"role":"assistant","content":"`;
      oversized = sendOversized(response, head, current.declared === true, jsonType);
      return;
    }
    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
    const stream = body.stream !== false;
    const loadStarted = Date.now();
    if (!loaded.has(model)) {
      loaded.add(model);
      await sleep(options.loadDelayMs ?? 0);
    }
    const loadDuration = (Date.now() - loadStarted) * 1e6;
    const base = () => ({ model: String(body.model), created_at: new Date().toISOString() });
    if (messages.length === 0) {
      sendJson(response, 200, {
        ...base(),
        message: { role: 'assistant', content: '' },
        done_reason: 'load',
        done: true,
      });
      return;
    }

    // What to say: a tool call when tools are offered for a user turn, JSON for a schema, words otherwise.
    const last = messages.at(-1);
    const continuing = last?.role === 'assistant' && last.content !== '';
    const promptMessages = continuing ? messages.slice(0, -1) : messages;
    const chatOptions = (body.options ?? {}) as Record<string, unknown>;
    const seed = fnv1a(`${JSON.stringify(promptMessages)}|${String(chatOptions.seed ?? '')}`);
    const numPredict = typeof chatOptions.num_predict === 'number' ? chatOptions.num_predict : -1;
    const promptTokens = Math.max(1, JSON.stringify(promptMessages.map((m) => m.content)).split(/\s+/).length);
    const tools = Array.isArray(body.tools)
      ? (body.tools as { function: { name: string; parameters?: unknown } }[])
      : [];
    let tokens: string[];
    let toolCalls: unknown[] | undefined;
    let doneReason = 'stop';
    if (tools.length > 0 && last?.role === 'user') {
      const tool = tools[0]!;
      const properties = ((tool.function.parameters ?? {}) as { properties?: Record<string, { type?: string }> })
        .properties;
      const args: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(properties ?? {})) args[key] = schema.type === 'number' ? 1 : 'Paris';
      toolCalls = [{ function: { name: tool.function.name, arguments: args } }];
      tokens = [];
    } else if (typeof body.format === 'object' && body.format !== null) {
      const properties = (body.format as { properties?: Record<string, { type?: string }> }).properties ?? {};
      const value: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(properties)) {
        value[key] =
          schema.type === 'integer' || schema.type === 'number' ? 22 : schema.type === 'boolean' ? true : 'yard';
      }
      const text = JSON.stringify(value);
      tokens = text.match(/.{1,4}/gs) ?? [];
    } else {
      const natural = 6 + (seed % 40);
      const start = continuing ? last.content.trim().split(/\s+/).length : 0;
      tokens = [];
      for (let index = start; index < natural; index += 1) {
        if (numPredict > 0 && tokens.length >= numPredict) {
          doneReason = 'length';
          break;
        }
        tokens.push(standInWord(seed, index));
      }
    }
    const final = () => ({
      ...base(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: doneReason,
      total_duration: loadDuration + tokens.length * tokenDelayMs * 1e6,
      load_duration: loadDuration,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: 1_000_000,
      eval_count: Math.max(tokens.length, toolCalls ? 1 : 0),
      eval_duration: tokens.length * tokenDelayMs * 1e6,
    });

    if (!stream) {
      await sleep(tokens.length * tokenDelayMs);
      if (closed) return;
      const result = final();
      result.message = { role: 'assistant', content: tokens.join('') };
      if (toolCalls) (result.message as Record<string, unknown>).tool_calls = toolCalls;
      sendJson(response, 200, result);
      return;
    }

    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.flushHeaders();
    if (current?.kind === 'hang') return; // Headers sent, then silence; the client must give up on its own.
    for (const [index, token] of tokens.entries()) {
      if (closed) return;
      if (index === 2 && current?.kind === 'error-line') {
        await writeLine(response, { error: 'an error was encountered while running the model' });
        response.end();
        return;
      }
      if (index === 2 && current?.kind === 'malformed-line') {
        response.write('{"model":"tiny","message":{"role":"assistant","content":\n');
        response.end();
        return;
      }
      await writeLine(response, { ...base(), message: { role: 'assistant', content: token }, done: false });
      await sleep(tokenDelayMs);
    }
    if (closed) return;
    if (toolCalls)
      await writeLine(response, {
        ...base(),
        message: { role: 'assistant', content: '', tool_calls: toolCalls },
        done: false,
      });
    if (current?.kind === 'no-done') {
      response.end();
      return;
    }
    await writeLine(response, final());
    response.end();
  }

  async function pull(response: ServerResponse, body: Record<string, unknown>) {
    const model = fullName(String(body.model ?? ''));
    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    await writeLine(response, { status: 'pulling manifest' });
    if (model.startsWith('missing')) {
      await writeLine(response, { error: 'pull model manifest: file does not exist' });
      response.end();
      return;
    }
    const layers = [
      { digest: `sha256:${'a'.repeat(64)}`, total: 3_000_000 },
      { digest: `sha256:${'b'.repeat(64)}`, total: 1_000 },
    ];
    for (const layer of layers) {
      await writeLine(response, {
        status: `pulling ${layer.digest.slice(7, 19)}`,
        digest: layer.digest,
        total: layer.total,
      });
      for (let step = 1; step <= 4; step += 1) {
        await sleep(5);
        if (closed) return;
        await writeLine(response, {
          status: `pulling ${layer.digest.slice(7, 19)}`,
          digest: layer.digest,
          total: layer.total,
          completed: (layer.total * step) / 4,
        });
      }
    }
    for (const status of ['verifying sha256 digest', 'writing manifest', 'success']) {
      if (closed) return;
      if (status === 'success') pulled.add(model);
      await writeLine(response, { status });
    }
    response.end();
  }

  const server = await startStandInServer(
    ({ method, path, body }, response) => {
      if (method === 'POST' && path === '/api/chat') return chat(response, body);
      if (method === 'POST' && path === '/api/pull') return pull(response, body);
      if (method === 'GET' && path === '/api/tags') {
        return sendJson(response, 200, { models: [...pulled].map(modelEntry) });
      }
      if (method === 'GET' && path === '/api/ps') {
        return sendJson(response, 200, {
          models: [...loaded].map((name) => ({
            ...modelEntry(name),
            expires_at: new Date(Date.now() + 300_000).toISOString(),
            size_vram: 0,
            context_length: options.modelfileNumCtx ?? 8192,
          })),
        });
      }
      if (method === 'POST' && path === '/api/show') {
        const model = fullName(String(body.model ?? ''));
        if (!pulled.has(model)) return sendJson(response, 404, { error: `model '${String(body.model)}' not found` });
        return sendJson(response, 200, {
          modelfile: '# Modelfile generated by "ollama show"\nFROM /models/blobs/sha256-tiny',
          parameters: `num_ctx                        ${options.modelfileNumCtx ?? 8192}\nstop                           "</s>"`,
          template: '{{ .Prompt }}',
          details: modelEntry(model).details,
          model_info: { 'general.architecture': 'llama', 'llama.context_length': 131_072 },
          capabilities: options.capabilities ?? ['completion', 'tools'],
        });
      }
      return sendJson(response, 404, { error: '404 page not found' });
    },
    { ...(options.port === undefined ? {} : { port: options.port }), jsonContentType: jsonType },
  );
  return {
    url: server.url,
    requests: server.requests,
    pulled,
    loaded,
    get oversized() {
      return oversized;
    },
    failNext(next) {
      fault = next;
    },
    close: () => server.close(),
  };
}
