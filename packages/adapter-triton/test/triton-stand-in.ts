/**
 * A protocol-faithful NVIDIA Triton Inference Server stand-in: a loopback HTTP server written from Triton's public
 * protocol documentation, for tests only (no Triton can be installed here). It runs no model: a tiny word generator
 * seeded by the prompt produces deterministic text token by token with small delays.
 *
 * Shapes it follows:
 * - KServe v2 (triton-inference-server/server docs/protocol, "health" and "model ready"): `GET /v2/health/ready` and
 *   `GET /v2/models/{name}[/versions/{v}]/ready` answer 200 when ready and 400 otherwise; `GET
 *   /v2/models/{name}/config` returns the model configuration as JSON (`name`, `platform`, `backend`, `input[]`,
 *   `output[]`, `model_transaction_policy.decoupled`).
 * - Model repository extension: `POST /v2/repository/index` → `[{ name, version, state: "READY" | "LOADING" |
 *   "UNAVAILABLE", reason }]`.
 * - Generate extension (docs/protocol/extension_generate.md): `POST /v2/models/{name}[/versions/{v}]/generate` with
 *   `{ text_input, parameters?, ...tensors }` → `{ model_name, model_version, text_output, ...outputs }`;
 *   `/generate_stream` answers `text/event-stream; charset=utf-8` with one `data: {...}` event per response; errors
 *   are `{ "error": "..." }` with an HTTP status before streaming, or a `data: {"error": ...}` event after it.
 * - vLLM backend (vllm_backend src/utils/request.py): sampling parameters from the request `parameters`
 *   (`max_tokens`, `temperature`, `top_p`, `seed`); `exclude_input_in_output` (a non-streamed answer starts with the
 *   prompt unless it is true); optional outputs `finish_reason` ("None" until the last response), `num_input_tokens`,
 *   `num_output_tokens` (per response while streaming) when `return_*` is true; streamed `text_output` is a delta.
 * - TensorRT-LLM ensemble: `max_tokens` (required), `temperature`, `top_k`, `top_p`, `random_seed`, `stop_words`,
 *   `stream` as tensors in the body; `text_output` per response, no finish reason, no token counts.
 *
 * Tests can make it misbehave once: an error status, a malformed event, an error event, a stream without a finish
 * reason, a hang, or a non-streamed answer that never ends or declares 64 MiB (half-written events and connection-level faults come from the testkit's fault proxy, in the
 * shared fault suite).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  fnv1a,
  type OversizedAnswer,
  sendJson,
  sendOversized,
  standInWord,
  startStandInServer,
} from '@switchyard/testkit';

export type TritonFault =
  | { kind: 'status'; status: number; error: string; retryAfter?: string }
  | { kind: 'malformed-event' }
  | { kind: 'error-event' }
  | { kind: 'no-finish' }
  | { kind: 'hang' }
  | { kind: 'oversized'; declared?: boolean };

export interface TritonModel {
  name: string;
  kind: 'vllm' | 'tensorrt-llm';
  state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  reason?: string;
}

export interface TritonStandIn {
  url: string;
  requests: { path: string; body: Record<string, unknown>; headers: IncomingHttpHeaders }[];
  models: Map<string, TritonModel>;
  setServerReady(ready: boolean): void;
  /** The last `oversized` answer sent: bytes written and whether the client closed its connection. */
  readonly oversized: OversizedAnswer | undefined;
  /** Misbehave on the next generate request only. */
  failNext(fault: TritonFault): void;
  close(): Promise<void>;
}

/** Where the assistant's turn opens in the prompt templates a client may use; the model continues from there. */
const assistantOpeners = ['<|im_start|>assistant\n', '<|start_header_id|>assistant<|end_header_id|>\n\n', 'Assistant:'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function configOf(model: TritonModel) {
  const tensor = (name: string, dataType: string) => ({ name, data_type: dataType, dims: [1] });
  if (model.kind === 'vllm') {
    return {
      name: model.name,
      platform: '',
      backend: 'vllm',
      max_batch_size: 0,
      model_transaction_policy: { decoupled: true },
      input: [
        tensor('text_input', 'TYPE_STRING'),
        tensor('stream', 'TYPE_BOOL'),
        tensor('sampling_parameters', 'TYPE_STRING'),
        tensor('exclude_input_in_output', 'TYPE_BOOL'),
        tensor('return_finish_reason', 'TYPE_BOOL'),
        tensor('return_num_input_tokens', 'TYPE_BOOL'),
        tensor('return_num_output_tokens', 'TYPE_BOOL'),
      ],
      output: [
        { name: 'text_output', data_type: 'TYPE_STRING', dims: [-1] },
        { name: 'finish_reason', data_type: 'TYPE_STRING', dims: [-1] },
        { name: 'num_input_tokens', data_type: 'TYPE_UINT32', dims: [1] },
        { name: 'num_output_tokens', data_type: 'TYPE_UINT32', dims: [-1] },
      ],
    };
  }
  return {
    name: model.name,
    platform: 'ensemble',
    backend: '',
    max_batch_size: 64,
    input: [
      tensor('text_input', 'TYPE_STRING'),
      tensor('max_tokens', 'TYPE_INT32'),
      tensor('stop_words', 'TYPE_STRING'),
      tensor('top_k', 'TYPE_INT32'),
      tensor('top_p', 'TYPE_FP32'),
      tensor('temperature', 'TYPE_FP32'),
      tensor('random_seed', 'TYPE_UINT64'),
      tensor('stream', 'TYPE_BOOL'),
      tensor('exclude_input_in_output', 'TYPE_BOOL'),
    ],
    output: [{ name: 'text_output', data_type: 'TYPE_STRING', dims: [-1] }],
  };
}

export async function startTritonStandIn(
  options: { models?: TritonModel[]; tokenDelayMs?: number } = {},
): Promise<TritonStandIn> {
  const models = new Map(
    (options.models ?? [{ name: 'llm', kind: 'vllm', state: 'READY' }]).map((model) => [model.name, model]),
  );
  const tokenDelayMs = options.tokenDelayMs ?? 2;
  let serverReady = true;
  let fault: TritonFault | undefined;
  let oversized: OversizedAnswer | undefined;

  async function generate(
    response: ServerResponse,
    model: TritonModel,
    body: Record<string, unknown>,
    stream: boolean,
  ) {
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
      const head = `{"model_name":${JSON.stringify(model.name)},"model_version":"1","text_output":"`;
      oversized = sendOversized(response, head, current.declared === true, 'application/json');
      return;
    }
    if (typeof body.text_input !== 'string') {
      sendJson(response, 400, { error: "input 'text_input' is required" });
      return;
    }
    const vllm = model.kind === 'vllm';
    const parameters = (body.parameters ?? {}) as Record<string, unknown>;
    const sampling = vllm ? parameters : body;
    if (!vllm && typeof body.max_tokens !== 'number') {
      sendJson(response, 400, {
        error: `[request id: <id_unknown>] expected 1 inputs but got 0 inputs for 'max_tokens'`,
      });
      return;
    }
    if (vllm && stream && body.exclude_input_in_output === false) {
      sendJson(response, 400, { error: 'When streaming, `exclude_input_in_output` = False is not allowed.' });
      return;
    }
    const maxTokens = typeof sampling.max_tokens === 'number' ? sampling.max_tokens : 16;
    const seedValue = vllm ? parameters.seed : body.random_seed;
    const prompt = body.text_input;
    // Continue after the assistant opener: words already there count as generated.
    let context = prompt;
    let prefixWords = 0;
    for (const opener of assistantOpeners) {
      const at = prompt.lastIndexOf(opener);
      if (at !== -1) {
        context = prompt.slice(0, at + opener.length);
        const already = prompt.slice(at + opener.length).trim();
        prefixWords = already === '' ? 0 : already.split(/\s+/).length;
        break;
      }
    }
    const seed = fnv1a(`${context}|${String(seedValue ?? '')}`);
    const natural = 6 + (seed % 40);
    const tokens: string[] = [];
    let finishReason = 'stop';
    for (let index = prefixWords; index < natural; index += 1) {
      if (tokens.length >= maxTokens) {
        finishReason = 'length';
        break;
      }
      tokens.push(standInWord(seed, index));
    }
    const promptTokens = Math.max(1, prompt.split(/\s+/).length);
    const head = { model_name: model.name, model_version: '1' };
    const extras = (last: boolean, count: number) =>
      vllm
        ? {
            ...(body.return_finish_reason ? { finish_reason: last ? finishReason : 'None' } : {}),
            ...(body.return_num_input_tokens ? { num_input_tokens: promptTokens } : {}),
            ...(body.return_num_output_tokens ? { num_output_tokens: count } : {}),
          }
        : {};

    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    if (!stream) {
      await sleep(tokens.length * tokenDelayMs);
      if (closed) return;
      const echo = vllm && body.exclude_input_in_output !== true ? prompt : '';
      sendJson(response, 200, { ...head, text_output: echo + tokens.join(''), ...extras(true, tokens.length) });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    response.flushHeaders();
    if (current?.kind === 'hang') return;
    const send = (value: unknown) => response.write(`data: ${JSON.stringify(value)}\n\n`);
    for (const [index, token] of tokens.entries()) {
      if (closed) return;
      if (index === 2) {
        if (current?.kind === 'error-event') {
          send({ error: 'Error generating stream: CUDA error: out of memory' });
          response.end();
          return;
        }
        if (current?.kind === 'malformed-event') {
          response.write('data: {"model_name": "llm", "text_output": \n\n');
          response.end();
          return;
        }
      }
      const last = index === tokens.length - 1 && current?.kind !== 'no-finish';
      send({ ...head, text_output: token, ...extras(last, 1) });
      await sleep(tokenDelayMs);
    }
    if (!closed) response.end();
  }

  const server = await startStandInServer(({ method, path, body }, response) => {
    if (method === 'GET' && path === '/v2/health/ready') {
      return serverReady ? sendJson(response, 200, undefined) : sendJson(response, 400, { error: 'Server not ready' });
    }
    if (method === 'POST' && path === '/v2/repository/index') {
      return sendJson(
        response,
        200,
        [...models.values()].map((model) => ({
          name: model.name,
          version: '1',
          state: model.state,
          ...(model.reason ? { reason: model.reason } : {}),
        })),
      );
    }
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/(\d+))?\/(ready|config|generate|generate_stream)$/.exec(path);
    if (!match) return sendJson(response, 404, { error: 'Not Found' });
    const name = decodeURIComponent(match[1] ?? '');
    const model = models.get(name);
    const action = match[3];
    if (!model || (match[2] !== undefined && match[2] !== '1')) {
      return sendJson(response, 400, { error: `Request for unknown model: '${name}' is not found` });
    }
    if (action === 'config') return sendJson(response, 200, configOf(model));
    if (model.state !== 'READY') {
      return sendJson(response, 400, { error: `Request for unknown model: '${name}' has no available versions` });
    }
    if (action === 'ready') return sendJson(response, 200, undefined);
    if (method !== 'POST') return sendJson(response, 405, { error: 'Method Not Allowed' });
    return generate(response, model, body, action === 'generate_stream');
  });
  return {
    url: server.url,
    requests: server.requests,
    models,
    get oversized() {
      return oversized;
    },
    setServerReady(ready) {
      serverReady = ready;
    },
    failNext(next) {
      fault = next;
    },
    close: () => server.close(),
  };
}
