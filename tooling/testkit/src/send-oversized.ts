import type { ServerResponse } from 'node:http';

/** What the client did with an oversized answer: how much was written, and whether its connection was closed. */
export interface OversizedAnswer {
  bytesSent: number;
  socketClosed: boolean;
}

/**
 * A 200 answer that starts with `head` (e.g. a JSON string left open) and never ends: written as fast as the client
 * reads it, or (`declared`) a `content-length` of 64 MiB and then silence. A client that caps what it reads must stop
 * at its cap and close the connection; the returned record shows whether it did. Stand-ins of every adapter that
 * reads whole bodies (OpenAI-compatible, Ollama, Triton) send it the same way.
 */
export function sendOversized(
  response: ServerResponse,
  head: string,
  declared: boolean,
  contentType: string,
): OversizedAnswer {
  const answer: OversizedAnswer = { bytesSent: 0, socketClosed: false };
  response.socket?.on('close', () => {
    answer.socketClosed = true;
  });
  const length = declared ? { 'content-length': String(64 * 1024 * 1024) } : {};
  response.writeHead(200, { 'content-type': contentType, ...length });
  response.write(head);
  if (declared) return answer;
  const piece = 'x'.repeat(64 * 1024);
  const pump = () => {
    while (!response.destroyed && response.write(piece)) answer.bytesSent += piece.length;
  };
  response.on('drain', pump);
  pump();
  return answer;
}
