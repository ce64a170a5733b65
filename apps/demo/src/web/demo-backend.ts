import type { ChatEvent, ChatInput } from '../run-chat.js';

/**
 * Where the page's router runs. The page renders the same JSON either way: from the demo's Node process over HTTP
 * ({@link createServerBackend}), or from a router in this tab ("in this browser" mode, `page-runtime.ts`).
 */
export interface DemoBackend {
  /** `server`: the demo's Node process routes; `page`: this tab does. */
  readonly where: 'server' | 'page';
  /** One of the page's API calls (`GET /api/state`, `POST /api/signals`, …); rejects with the server's message. */
  request<T>(path: string, body?: unknown): Promise<T>;
  /** One chat turn: the router's parts as they come, then the decision record (or an error event). */
  chat(input: ChatInput): AsyncIterable<ChatEvent>;
}

/** Reads a `text/event-stream` body: yields the JSON of each `data:` line. */
async function* readEvents(response: Response): AsyncGenerator<ChatEvent> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split('\n')) {
        if (line.startsWith('data: ')) yield JSON.parse(line.slice(6)) as ChatEvent;
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

/** The demo's own server routes: the page's API over HTTP, the chat as Server-Sent Events. */
export function createServerBackend(): DemoBackend {
  return {
    where: 'server',
    async request<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as T & { error?: { message: string } };
      if (!response.ok) throw new Error(json.error?.message ?? `${path}: HTTP ${response.status}`);
      return json;
    },
    async *chat(input: ChatInput): AsyncGenerator<ChatEvent> {
      const response = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
        throw new Error(body.error?.message ?? `HTTP ${response.status}`);
      }
      yield* readEvents(response);
    },
  };
}
