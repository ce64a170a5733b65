// The loopback upstream: a zero-work OpenAI-compatible server on `node:http`, run in its own process so its CPU is
// not the bench client's event loop. The request's `model` picks the behaviour, so the routed and the direct arm send
// byte-for-byte the same request and get the same reply:
//   zero             JSON (stream: false) or a short SSE stream written at once (stream: true)
//   paced:N:MS       SSE, N content chunks MS ms apart, each carrying its send time (epoch ms) as text
//   burst:N          SSE, N content chunks written back to back
//   hold             held until POST /_bench/release, then answered like `zero`
//   status:CODE      an error status (e.g. 503) with an OpenAI error body
//   reset:N:MS       SSE, N chunks, then a TCP reset MS ms later (mid-stream failure)
//   no-usage         like `zero` without any `usage` (servers that never report it, or only on streams when asked)
//   partial-usage    like `zero` with a `usage` that has `prompt_tokens` only (no `completion_tokens`)
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();

const chunk = (content) =>
  `data: {"id":"bench","object":"chat.completion.chunk","created":0,"model":"bench","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
const finishEvents =
  'data: {"id":"bench","object":"chat.completion.chunk","created":0,"model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: {"id":"bench","object":"chat.completion.chunk","created":0,"model":"bench","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":4,"total_tokens":12}}\n\n' +
  'data: [DONE]\n\n';
const zeroJson = JSON.stringify({
  id: 'bench',
  object: 'chat.completion',
  created: 0,
  model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 },
});
const zeroSse = chunk('Hello from the bench.') + finishEvents;
const { usage: _usage, ...noUsageAnswer } = JSON.parse(zeroJson);
const noUsageJson = JSON.stringify(noUsageAnswer);
const noUsageSse = chunk('Hello from the bench.') + finishEvents.replace(/^data: .*"usage".*\n\n/m, '');
const partialUsageJson = JSON.stringify({ ...noUsageAnswer, usage: { prompt_tokens: 8 } });
const partialUsageSse =
  chunk('Hello from the bench.') + finishEvents.replace('"completion_tokens":4,"total_tokens":12', '"total_tokens":8');
const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

const held = [];

function answerZero(res, stream) {
  if (res.destroyed) return;
  if (stream) res.writeHead(200, sseHeaders).end(zeroSse);
  else res.writeHead(200, { 'content-type': 'application/json' }).end(zeroJson);
}

function handleChat(res, body) {
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
    return;
  }
  const stream = parsed.stream === true;
  const [mode, a, b] = String(parsed.model ?? 'zero').split(':');
  switch (mode) {
    case 'hold':
      held.push(() => answerZero(res, stream));
      return;
    case 'status':
      res
        .writeHead(Number(a) || 503, { 'content-type': 'application/json' })
        .end('{"error":{"message":"bench: injected status","type":"bench"}}');
      return;
    case 'paced': {
      const count = Number(a) || 64;
      const gapMs = Number(b) || 20;
      res.writeHead(200, sseHeaders);
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        res.write(chunk(`${now()}|`));
        sent += 1;
        if (sent === count) res.end(finishEvents);
        else timer = setTimeout(tick, gapMs);
      };
      let timer = setTimeout(tick, 0);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'burst': {
      const count = Number(a) || 512;
      res.writeHead(200, sseHeaders);
      for (let index = 0; index < count; index += 1) res.write(chunk(`${now()}|`));
      res.end(finishEvents);
      return;
    }
    case 'reset': {
      const count = Number(a) || 4;
      const afterMs = Number(b) || 5;
      res.writeHead(200, sseHeaders);
      for (let index = 0; index < count; index += 1) res.write(chunk('partial '));
      // Let the client read the chunks first: an RST discards bytes it has not read yet.
      const timer = setTimeout(() => res.socket?.resetAndDestroy(), afterMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'no-usage':
    case 'partial-usage': {
      const partial = mode === 'partial-usage';
      if (stream) res.writeHead(200, sseHeaders).end(partial ? partialUsageSse : noUsageSse);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(partial ? partialUsageJson : noUsageJson);
      return;
    }
    default:
      answerZero(res, stream);
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/_bench/held') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ held: held.length }));
    return;
  }
  if (req.method === 'POST' && req.url === '/_bench/release') {
    const release = held.splice(0);
    for (const answer of release) answer();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ released: release.length }));
    return;
  }
  if (req.method === 'GET' && req.url?.endsWith('/models')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"zero"}]}');
    return;
  }
  const chunks = [];
  req.on('data', (part) => chunks.push(part));
  req.on('end', () => handleChat(res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

// An optional port argument lets a row restart a killed upstream where its clients expect it.
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  if (process.send) process.send({ url });
  else process.stdout.write(`${url}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
