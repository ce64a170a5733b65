import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the scripted server writes for one streaming request: raw SSE text pieces, written as separate chunks. */
/** SSE pieces written one by one; raw bytes can cut a multi-byte character in two. */
export type Script = (body: Record<string, unknown>) => (string | Uint8Array)[];

/** A chunk in the OpenAI streaming shape. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
}

export function usageChunk(prompt: number, completion: number): string {
  return `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } })}\n\n`;
}

export const done = 'data: [DONE]\n\n';

/** A plain text answer streamed word by word, with usage and `[DONE]`. */
export const textScript: Script = () => [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' from' }),
  chunk({ content: ' the' }),
  chunk({ content: ' yard' }),
  chunk({}, 'stop'),
  usageChunk(7, 4),
  done,
];

/**
 * A protocol-faithful OpenAI-compatible loopback server for fault tests: `/v1/chat/completions` (streaming from a
 * script, non-streaming from the script's text), `/v1/models` and `/health`. Records each chat request's body and
 * headers.
 */
export async function startScriptedUpstream(initial: Script = textScript) {
  let script = initial;
  const bodies: Record<string, unknown>[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const sockets = new Set<Socket>();
  /** Streaming responses whose client went away before the script was written to the end. */
  let cutShort = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const piece of req) chunks.push(piece as Buffer);
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.url === '/v1/models') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data: [{ id: 'scripted', owned_by: 'test', max_model_len: 4096 }] }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    bodies.push(body);
    headers.push(req.headers);
    const pieces = script(body);
    if (body.stream !== true) {
      // Rebuild the whole answer from the script, the way a server would send it without streaming.
      let text = '';
      let finish: string | null = null;
      const toolCalls: Record<string, unknown>[] = [];
      for (const piece of pieces) {
        if (typeof piece !== 'string' || !piece.startsWith('data: {')) continue;
        const parsed = JSON.parse(piece.slice(6)) as {
          choices?: { delta?: { content?: string; tool_calls?: Record<string, unknown>[] }; finish_reason?: string }[];
        };
        const choice = parsed.choices?.[0];
        text += choice?.delta?.content ?? '';
        toolCalls.push(...(choice?.delta?.tool_calls ?? []));
        finish = choice?.finish_reason ?? finish;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
          usage: { prompt_tokens: 7, completion_tokens: 4 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.on('close', () => {
      if (!res.writableFinished) cutShort += 1;
    });
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(piece);
      // A macrotask between pieces so they reach the client as separate chunks; raw bytes (a cut character) get a
      // longer pause, so the client surely reads them apart.
      await new Promise((resolve) => setTimeout(resolve, typeof piece === 'string' ? 1 : 50));
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
    bodies,
    headers,
    /** How many streaming responses were closed by the client before their script ended. */
    cutShort: () => cutShort,
    setScript(next: Script) {
      script = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
