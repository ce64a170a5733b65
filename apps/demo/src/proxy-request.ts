import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';

/** Request headers passed upstream: what an OpenAI-compatible call needs, and the trace context. */
const forwardedHeaders = ['content-type', 'accept', 'authorization', 'traceparent', 'tracestate', 'x-request-id'];

/**
 * Forwards one request to `target` and streams the answer back, byte for byte. An upstream that breaks mid-answer
 * (the stand-in's fault switch resets its connection) breaks this answer too, so the page sees the same cut a
 * remote endpoint would cause; a page that goes away cancels the upstream request.
 *
 * Why a proxy: "in this browser" mode calls the GPU stand-in from the page, and a same-origin path needs no CORS
 * headers (a real deployment either serves its endpoint under the app's origin like this or sends CORS headers).
 */
export function proxyRequest(request: IncomingMessage, response: ServerResponse, target: URL): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const name of forwardedHeaders) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = httpRequest(target, { method: request.method ?? 'GET', headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, {
        'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      answer.pipe(response);
      answer.on('aborted', () => response.destroy());
      answer.on('error', () => response.destroy());
      answer.on('end', resolve);
    });
    upstream.on('error', (error) => {
      if (response.headersSent) response.destroy();
      else {
        response.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ error: { message: `the remote stand-in is unreachable: ${error.message}` } }));
      }
      resolve();
    });
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
      resolve();
    });
    request.pipe(upstream);
  });
}
