import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's examples are run as written (their imports resolve to this workspace's sources), so they cannot drift.
// The budget example and the cookbook have their own files (readme-budget-example.test.ts, cookbook.test.ts).
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
// Written beside this file so the examples' bare imports (`@opentelemetry/*`) resolve from this package.
const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-core-'));

/** The first ```ts block after `heading`; throws naming both when the README no longer has it. */
function block(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  const found = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (!found) throw new Error(`packages/core/README.md: no \`\`\`ts block under "${heading}"`);
  return found;
}

/**
 * Turns each line `expression; // what it shows` into a recorded value, so the claims the comments make can be
 * checked: the README shows a value by writing the expression with its value as a comment.
 */
function recordShownValues(source: string): string {
  return source.replace(
    /^(?!await |const |let |import )([\w.?[\]()'" :-]+);( \/\/ .*)$/gm,
    'globalThis.readmeShown.push($1);$2',
  );
}

async function run(name: string, source: string): Promise<unknown[]> {
  const shown: unknown[] = [];
  Object.assign(globalThis, { readmeShown: shown });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  await import(pathToFileURL(file).href);
  return shown;
}

describe('README examples of @switchyard/core', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    Reflect.deleteProperty(globalThis, 'readmeShown');
  });

  it('"Example": the laptop answers, a low battery excludes it, and the stream is answered by the GPU', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let logged: unknown[][];
    try {
      await run('example', block('## Example'));
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
      write.mockRestore();
    }
    expect(logged[0]).toEqual(['Hello from the laptop.', 'device']);
    expect(logged[1]?.[0]).toEqual([
      { target: 'device', reason: 'battery', detail: 'battery 10% is below 20% and not charging' },
    ]);
    expect(written.join('')).toBe('Hello from the GPU.');
    expect(logged[2]).toEqual(['\nanswered by', 'gpu']);
  });

  it('"The detector on its own": the pii entry finds a German phone number, a password and a labelled SIN', async () => {
    const source = recordShownValues(block('### The detector on its own: `@switchyard/core/pii`'));
    expect(await run('pii', source)).toEqual([['phone-number'], ['secret'], ['national-id']]);
  });

  it('"Usage the target did not report": a target without usage gets the estimate, marked as such', async () => {
    // The example reads a `router`; here its target reports no usage, as a server that omits it.
    const prelude = [
      "import { createRouter } from '@switchyard/core';",
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      "const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'Hello there.', usage: false }] });",
      'const router = createRouter({ targets: { gpu } });',
    ].join('\n');
    const source = recordShownValues(block('## Usage the target did not report'));
    const [usage, estimated, attemptEstimated, ...rest] = await run('usage', `${prelude}\n${source}`);
    expect(rest).toEqual([]);
    // Input from the prompt the router planned with, output from the text (4 characters a token).
    expect(usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 3 });
    expect(estimated).toBe(true);
    expect(attemptEstimated).toBe(true);
  });

  it('"Observability": spans of the attempt and the request, children of the incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const prelude = [
      "import { createRouter } from '@switchyard/core';",
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      // A local model named as the README's is: the attempt span is `chat <model>`.
      "const device = createScriptedTarget({ id: 'llamacpp:tiny.gguf', script: [{ text: 'Hi there.' }] });",
      'const router = createRouter({ targets: { device } });',
      "const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };",
      `const incoming = { headers: { traceparent: '00-${traceId}-00f067aa0ba902b7-01' } };`,
    ].join('\n');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    try {
      await run('observability', `${prelude}\n${block('## Observability (OpenTelemetry)')}\nexport { exporter };\n`);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    expect(logged).toEqual([[['chat tiny.gguf', 'chat']]]);
    const { exporter } = await import(pathToFileURL(join(dir, 'observability.ts')).href);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    for (const span of exporter.getFinishedSpans()) expect(span.spanContext().traceId).toBe(traceId);
  });

  it('"Observability" in a web page: the API module and a tracer provider given to the router record its spans', async () => {
    const start = readme.indexOf('In a web page (or any bundle where `@opentelemetry/api` cannot be imported');
    const source = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    if (!source) throw new Error('packages/core/README.md: the telemetry.api example is gone');
    const prelude = [
      "import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';",
      "import { createRouter } from '@switchyard/core';",
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      'const exporter = new InMemorySpanExporter();',
      'const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });',
      "const targets = { gpu: createScriptedTarget({ id: 'openai:big', locality: 'remote', script: [{ text: 'ok' }] }) };",
    ].join('\n');
    await run('telemetry-api', `${prelude}\n${source}\nexport { exporter, router };\n`);
    const { router, exporter } = await import(pathToFileURL(join(dir, 'telemetry-api.ts')).href);
    await router.generate({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(exporter.getFinishedSpans().map((span: { name: string }) => span.name)).toEqual(['chat big', 'chat']);
  });
});
