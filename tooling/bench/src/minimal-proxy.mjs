// The practical ceiling for a Node gateway on this machine (bench row 7): a pass-through proxy on `node:http` and
// `undici.request`, with no routing, no validation and no parsing beyond JSON. It parses the request body (as any
// gateway must, to read the model), rewrites `model` to the upstream's, and pipes the upstream's reply back
// unchanged, JSON or SSE. Run as a child process: `node minimal-proxy.mjs <upstream origin>`; it sends `{ url }` over
// IPC when it listens.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.argv[2];
if (!upstream) throw new Error('minimal-proxy: pass the upstream origin (http://127.0.0.1:PORT) as the first argument');
// Keep-alive on both sides, as the gateway does: the comparison is about per-request work, not connection setup.
const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
const target = `${upstream}/v1/chat/completions`;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (part) => chunks.push(part));
  req.on('end', async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid JSON"}}');
      return;
    }
    body.model = 'zero';
    try {
      const reply = await request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher,
      });
      res.writeHead(reply.statusCode, { 'content-type': reply.headers['content-type'] ?? 'application/json' });
      // Each upstream chunk is written as it arrives (SSE stays streamed); no re-encoding.
      for await (const chunk of reply.body) res.write(chunk);
      res.end();
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: error.message } }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${server.address().port}` }));
process.on('SIGTERM', () => process.exit(0));
