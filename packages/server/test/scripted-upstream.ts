import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OpenAI-compatible upstream that streams `words` one SSE chunk every `intervalMs`, so a test can act
 * while a stream is in flight. Non-streaming requests get the words joined. Records each request's headers.
 */
export async function startSlowUpstream(options: { words: string[]; intervalMs: number }) {
  const headers: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    headers.push(request.headers);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', async () => {
      const parsed = JSON.parse(body || '{}') as { stream?: boolean; model?: string };
      const base = { id: 'x', created: 0, model: parsed.model ?? 'slow' };
      if (!parsed.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [
              { index: 0, message: { role: 'assistant', content: options.words.join('') }, finish_reason: 'stop' },
            ],
            usage: {
              prompt_tokens: 3,
              completion_tokens: options.words.length,
              total_tokens: 3 + options.words.length,
            },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (value: unknown) => response.write(`data: ${JSON.stringify(value)}\n\n`);
      for (const word of options.words) {
        if (response.destroyed) return;
        send({
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: word }, finish_reason: null }],
        });
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      }
      send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL: `${url}/v1`,
    headers,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
