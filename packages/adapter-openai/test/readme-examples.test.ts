import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { PoolTarget } from '@switchyard/adapter-utils';
import {
  type BrowserPage,
  eventually,
  type FaultProxy,
  openBrowserPage,
  ReadmeExamples,
  startFaultProxy,
  swapOnce,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server, useLlamaServer } from './llama-server-fixture.js';

// The README's examples are run as written against llama.cpp's real llama-server on the generated tiny model, with
// only the server's address and model name swapped in, so they cannot drift.
// Written beside this file so the examples' bare imports (`@opentelemetry/api`) resolve from this package.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});
// adapter-utils' tests cannot import this adapter (it depends on adapter-utils), so its pool example runs here.
const kitExamples = new ReadmeExamples(new URL('../../adapter-utils/README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});

useLlamaServer();

describe('README examples of @switchyard/adapter-openai (real llama-server)', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({ upstream: server.origin });
  });
  afterAll(async () => {
    await proxy?.close();
    examples.dispose();
    kitExamples.dispose();
  });

  it('"Example": streams an answer and prints its finish reason', async () => {
    let source = swapOnce(
      examples.block('## Example'),
      /baseURL: '[^']+'/,
      `baseURL: ${JSON.stringify(server.baseURL)}`,
    );
    source = swapOnce(source, /model: '[^']+'/, `model: ${JSON.stringify(server.model)}`);
    const { logged, written } = await examples.run('example', source);
    expect(written.length).toBeGreaterThan(0);
    expect(logged).toEqual([[expect.stringMatching(/^\n\((stop|length)\)$/)]]);
  });

  it("adapter-utils' README pool example: a pool over two replicas of llama-server answers on both", async () => {
    // Replica b reaches the same llama-server through the proxy: two addresses, one server.
    const heading =
      '## Pools of replicas: `createPoolTarget({ replicas, sticky?, stickySlack?, failureThreshold?, windowMs?, cooldownMs?, probeIntervalMs? })`';
    let source = swapOnce(
      kitExamples.block(heading),
      /'http:\/\/10\.0\.0\.5:8000\/v1'/,
      JSON.stringify(server.baseURL),
    );
    source = swapOnce(source, /'http:\/\/10\.0\.0\.6:8000\/v1'/, JSON.stringify(`${proxy.url}/v1`));
    const { gpu } = (await kitExamples.run('pool', `${source}\nexport { gpu };\n`)).exports as { gpu: PoolTarget };
    try {
      // Different conversations (a pool keeps one conversation on one replica): these six land on both.
      for (const city of ['Hamm', 'Maschen', 'Mannheim', 'Seelze', 'Halle', 'Nuremberg']) {
        const answer = await gpu.generate({ messages: [{ role: 'user', content: `Describe ${city}.` }], maxTokens: 4 });
        expect(answer.text.length).toBeGreaterThan(0);
      }
      const stats = gpu.replicaStats();
      expect(stats.a?.requests).toBeGreaterThan(0);
      expect(stats.b?.requests).toBeGreaterThan(0);
      expect((stats.a?.requests ?? 0) + (stats.b?.requests ?? 0)).toBe(6);
    } finally {
      await gpu.dispose?.();
    }
  });

  it('"Tracing": the server receives the attempt span\'s traceparent', async () => {
    // The example's free names: an SDK tracer provider, the served model, a request. Its endpoint is the proxy in
    // front of llama-server, which records what the server received.
    const prelude = [
      "import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';",
      'const exporter = new InMemorySpanExporter();',
      'const tracerProvider = new SdkTracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });',
      `const model = ${JSON.stringify(server.model)};`,
      "const request = { messages: [{ role: 'user' as const, content: 'Hi' }], maxTokens: 4 };",
      'export { exporter };',
    ].join('\n');
    const source = swapOnce(
      examples.block('### Tracing'),
      /baseURL: '[^']+'/,
      `baseURL: ${JSON.stringify(`${proxy.url}/v1`)}`,
    );
    proxy.clearRequests();
    const { exporter } = (await examples.run('tracing', `${prelude}\n${source}`)).exports as {
      exporter: InMemorySpanExporter;
    };
    const chat = proxy.requests.find((request) => request.path === '/v1/chat/completions');
    const headers = chat?.rawHeaders ?? [];
    const traceparent = headers[headers.findIndex((name) => name.toLowerCase() === 'traceparent') + 1];
    const attempt = exporter.getFinishedSpans().find((span) => span.name === `chat ${server.model}`);
    expect(attempt).toBeDefined();
    const context = attempt?.spanContext();
    expect(traceparent).toBe(`00-${context?.traceId}-${context?.spanId}-01`);
  });

  it('"In a browser or a worker": in headless Chromium, the page streams from llama-server and the stop button aborts', async () => {
    // The example's free names: a stop button and an answer element. A top-level rejection of the page's module (the
    // example's loop) is reported as an error event, recorded here.
    const prelude = [
      "const stopButton = document.body.appendChild(document.createElement('button'));",
      "stopButton.id = 'stop';",
      "const answer = document.body.appendChild(document.createElement('pre'));",
      "answer.id = 'answer';",
      "Object.assign(globalThis, { readmeEnd: '' });",
      "addEventListener('error', (event) => Object.assign(globalThis, { readmeEnd: String(event.error?.name) }));",
    ].join('\n');
    // llama-server behind the proxy, which holds the answer open after its first events: the tiny model would finish
    // before anyone could press stop.
    const source = swapOnce(
      examples.block('### In a browser or a worker'),
      /baseURL: '[^']+'/,
      `baseURL: ${JSON.stringify(`${proxy.url}/v1`)}`,
    );
    const file = join(examples.dir, 'in-a-page.ts');
    writeFileSync(file, `${prelude}\n${source}\nObject.assign(globalThis, { readmeEnd: 'finished' });\n`);
    let browser: BrowserPage | undefined;
    try {
      proxy.clearRequests();
      // The browser's CORS preflight passes; the chat request is held open after its first events.
      proxy.queueFaults(null, { type: 'hang-after-events', events: 4 });
      browser = await openBrowserPage({ scripts: { '/app.js': file } });
      const { page } = browser;
      // llama-server answers the page's origin with CORS headers itself (passed on by the proxy), as the README says.
      await page.waitForFunction(() => (document.getElementById('answer')?.textContent ?? '').length > 0);
      await page.click('#stop');
      await page.waitForFunction(() => (globalThis as { readmeEnd?: string }).readmeEnd !== '');
      expect(await page.evaluate(() => (globalThis as { readmeEnd?: string }).readmeEnd)).toBe('AbortError');
      // The page closed its request: the proxy is answering nothing any more.
      expect(await eventually(() => proxy.openResponses() === 0)).toBe(true);
    } finally {
      proxy.setFault(null);
      await browser?.close();
    }
  });
});
