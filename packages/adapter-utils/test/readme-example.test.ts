import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AbortError, ApiCallError } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's example (an adapter's call: HttpClient, CallControl, readSseEvents) is run as written against a
// loopback server of "my runtime" (a stand-in: that runtime is the reader's), with only its address swapped in, so
// it cannot drift. Its pool example runs in adapter-openai's tests, which have the adapter it uses.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Example';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-adapter-utils-'));

// "My runtime": POST /generate streams one SSE event per word of the prompt; the prompt "busy" gets a 503.
const server = createServer(async (request, response) => {
  let body = '';
  request.setEncoding('utf8');
  for await (const chunk of request) body += chunk;
  const { prompt } = JSON.parse(body) as { prompt: string };
  if (request.method !== 'POST' || request.url !== '/generate') {
    response.writeHead(404).end();
  } else if (prompt === 'busy') {
    response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
    response.end(JSON.stringify({ error: 'the runtime is busy' }));
  } else {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of prompt.split(' ')) response.write(`data: ${word}\n\n`);
    response.end();
  }
});

describe('README example of @switchyard/adapter-utils (a loopback stand-in for "my runtime")', () => {
  let generate: (prompt: string, signal?: AbortSignal) => AsyncGenerator<string>;
  beforeAll(async () => {
    if (block === undefined) throw new Error(`packages/adapter-utils/README.md: no \`\`\`ts block under "${heading}"`);
    await once(server.listen(0, '127.0.0.1'), 'listening');
    const { port } = server.address() as AddressInfo;
    const baseURL = "baseURL: 'http://10.0.0.5:9000'";
    expect(block.split(baseURL)).toHaveLength(2);
    const file = join(dir, 'my-runtime.ts');
    writeFileSync(file, `${block.replace(baseURL, `baseURL: 'http://127.0.0.1:${port}'`)}\nexport { generate };\n`);
    ({ generate } = await import(pathToFileURL(file).href));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('yields each event of the stream', async () => {
    const events: string[] = [];
    for await (const data of generate('three rail yards')) events.push(data);
    expect(events).toEqual(['three', 'rail', 'yards']);
  });

  it('turns an error status into an ApiCallError with the status, Retry-After and the server message', async () => {
    const error = await (async () => {
      for await (const _ of generate('busy')) throw new Error('no event expected');
    })().catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 2000, isRetryable: true });
    expect((error as Error).message).toContain('the runtime is busy');
  });

  it("ends with an AbortError when the caller's signal is already aborted", async () => {
    const error = await (async () => {
      for await (const _ of generate('hi', AbortSignal.abort())) throw new Error('no event expected');
    })().catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('"Settings fields": a bad number is shown with its unit, a string only by its kind', async () => {
    const section = readme.slice(readme.indexOf('\n### Settings fields\n'));
    const source = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    if (!section.startsWith('\n### Settings fields\n') || !source)
      throw new Error('packages/adapter-utils/README.md: no ```ts block under "### Settings fields"');
    const file = join(dir, 'settings-fields.ts');
    writeFileSync(file, source);
    const logged: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(args);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      console.log = log;
    }
    expect(logged).toEqual([
      ['quality: expected a number from 0 to 1, got a string'],
      ['contextSize: expected a positive whole number of tokens, got 0'],
    ]);
  });

  it('"The provider kit": traceHeaders carries a traced call\'s context in the headers the README builds', async () => {
    const kit = readme.slice(readme.indexOf('\n### The provider kit\n'));
    const source = /```ts\n([\s\S]*?)```/.exec(kit)?.[1];
    if (!kit.startsWith('\n### The provider kit\n') || !source)
      throw new Error('packages/adapter-utils/README.md: no ```ts block under "### The provider kit"');
    // The example's free name: a call the router traced.
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const file = join(dir, 'trace-headers.ts');
    writeFileSync(
      file,
      `const call = { traceContext: { traceparent: '${traceparent}' } };\n${source}\nexport { headers };\n`,
    );
    const { headers } = await import(pathToFileURL(file).href);
    expect(headers).toEqual({ 'content-type': 'application/json', traceparent });
  });
});
