import type { Wllama } from '@wllama/wllama';
import { WllamaError } from '@wllama/wllama';

/**
 * The message half of wllama's worker protocol (wllama 3.8: `Wllama#proxy.wllamaAction(name, body)`, one
 * `postMessage` each way per action). `completion` only queues a request in the worker's llama.cpp server and
 * answers its id; every `get_result` runs one step of the server loop (the first evaluates the prompt) and answers
 * the next result of that request.
 */
interface WorkerProxy {
  wllamaAction(name: string, body: Record<string, unknown>): Promise<unknown>;
}

interface CompletionReply {
  success: boolean;
  req_id: number;
}

interface ResultReply {
  has_more: boolean;
  data_json: string;
  is_error: boolean;
}

/** One request: the body wllama's `createCompletion` / `createChatCompletion` send to the worker, as JSON. */
export interface PipelinedRequest {
  body: Record<string, unknown>;
  /** `messages` to render by the model's template in the worker, instead of a ready `prompt`. */
  chat: boolean;
  /** Each chunk of a streamed answer, in order. */
  onChunk?: (chunk: unknown) => void;
  /** Checked before each result is read, as wllama checks its `abortSignal`. */
  signal?: AbortSignal;
}

/** Results asked for ahead: the server loop stays busy while the page reads an answer. */
const pollsInFlight = 2;

/**
 * Runs completions on wllama's worker with the polls of the request sent ahead, instead of wllama's own loop that
 * waits for each answer before posting the next message. wllama's own path costs three worker round trips before
 * the first token (the request, then a poll that returns the server's begin marker, then the poll with the token);
 * here the request and its first polls leave together, so the worker runs them back to back and the first token
 * comes back after one (BENCHMARKS.md, row 11).
 *
 * Sending a poll before the request is answered needs its id. The worker numbers requests one after another and this
 * engine has only this caller, one request at a time, so the next id is the last one plus one; the first request
 * (and any after a failed start) learns it without polling ahead. A wrong guess is harmless: the worker answers a
 * poll for an id it does not hold with an empty "no more" (wllama relies on that for late polls), which is ignored,
 * and the request is then polled by its real id.
 */
export class PipelinedCompletions {
  private nextId: number | undefined;

  private constructor(private readonly proxy: WorkerProxy) {}

  /** The runner for a loaded engine, or undefined when this wllama build does not have the expected worker proxy. */
  static of(engine: Wllama): PipelinedCompletions | undefined {
    const proxy = (engine as unknown as { proxy?: Partial<WorkerProxy> | null }).proxy;
    return typeof proxy?.wllamaAction === 'function' ? new PipelinedCompletions(proxy as WorkerProxy) : undefined;
  }

  /** Runs one request to its end (or until `signal` aborts or `onChunk` throws); resolves with its last result. */
  async run(request: PipelinedRequest): Promise<unknown> {
    const predicted = this.nextId;
    this.nextId = undefined;
    const started = this.proxy.wllamaAction('completion', {
      _name: 'cmpl_req',
      is_chat: request.chat,
      data_json: JSON.stringify(request.body),
      files: [],
    }) as Promise<CompletionReply>;
    const early = predicted === undefined ? [] : Array.from({ length: pollsInFlight }, () => this.poll(predicted));
    const { success, req_id: id } = await started.catch((error: unknown) => {
      ignore(early);
      throw error;
    });
    if (!success) {
      ignore(early);
      throw new WllamaError('Model failed to start inference', 'inference_error');
    }
    this.nextId = id + 1;
    if (id !== predicted) ignore(early);
    const polls = id === predicted ? early : [];
    let last: unknown = null;
    let completed = false;
    try {
      while (true) {
        if (request.signal?.aborted) throw request.signal.reason;
        while (polls.length < pollsInFlight) polls.push(this.poll(id));
        const reply = (await polls.shift()) as ResultReply;
        const json = reply.data_json;
        // '' is a step without a result, 'null' the server's begin marker.
        if (json && json !== 'null') {
          const data = decode(json);
          if (reply.is_error) {
            const message = (data as { message?: unknown } | null)?.message;
            throw new WllamaError(typeof message === 'string' ? message : 'Unknown inference error', 'inference_error');
          }
          for (const chunk of Array.isArray(data) ? data : [data]) {
            request.onChunk?.(chunk);
            last = chunk;
          }
        }
        if (!reply.has_more) {
          completed = true;
          return last;
        }
      }
    } finally {
      // Polls still in flight meet a finished (or cancelled) request: the worker answers them empty.
      ignore(polls);
      if (!completed) await this.cancel(id);
    }
  }

  private poll(id: number): Promise<ResultReply> {
    return this.proxy.wllamaAction('get_result', { _name: 'gres_req', req_id: id }) as Promise<ResultReply>;
  }

  /** Frees the request's slot in the worker's server; a finished request makes this a no-op. */
  private async cancel(id: number): Promise<void> {
    await this.proxy.wllamaAction('cancel', { _name: 'cncl_req', req_id: id }).catch(() => undefined);
  }
}

function ignore(polls: readonly Promise<unknown>[]): void {
  for (const poll of polls) poll.catch(() => undefined);
}

function decode(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new WllamaError('Failed to parse model output', 'inference_error');
  }
}
