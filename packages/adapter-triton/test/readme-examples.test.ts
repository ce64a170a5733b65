import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TritonTarget } from '../src/index.js';
import { startTritonStandIn, type TritonStandIn } from './triton-stand-in.js';

// The README's examples are run as written against the protocol-faithful Triton stand-in (no Triton can run here),
// serving the README's two model repositories (TensorRT-LLM's `ensemble`, vLLM's `vllm_model`), with only the
// server's address swapped in, so they cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-triton-'));

/** The ```ts blocks under `heading`; throws naming both when the README has fewer than `count`. */
function blocks(heading: string, count: number): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  const section = start < 0 ? '' : (readme.slice(start + 1).split(/\n## /)[0] ?? '');
  const found = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  if (found.length < count)
    throw new Error(`packages/adapter-triton/README.md: no ${count} \`\`\`ts blocks under "${heading}"`);
  return found;
}

describe('README examples of @switchyard/adapter-triton (protocol-faithful Triton stand-in)', () => {
  let standIn: TritonStandIn;
  let swap: (source: string) => string;
  beforeAll(async () => {
    standIn = await startTritonStandIn({
      models: [
        { name: 'ensemble', kind: 'tensorrt-llm', state: 'READY' },
        { name: 'vllm_model', kind: 'vllm', state: 'READY' },
      ],
    });
    swap = (source) => {
      expect(source.match(/baseURL: 'http:\/\/gpu-node-1:8000'/g)).toHaveLength(1);
      return source.replace("baseURL: 'http://gpu-node-1:8000'", `baseURL: ${JSON.stringify(standIn.url)}`);
    };
  });
  afterAll(async () => {
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('"Example": the target is ready and streams an answer', async () => {
    const [example] = blocks('## Example', 1);
    const file = join(dir, 'example.ts');
    writeFileSync(file, `${swap(example ?? '')}\nexport { gpu };\n`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let logged: unknown[][];
    let gpu: TritonTarget | undefined;
    try {
      ({ gpu } = await import(pathToFileURL(file).href));
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
      write.mockRestore();
      await gpu?.dispose?.();
    }
    expect(logged).toEqual([[{ state: 'ready' }]]);
    expect(written.join('').length).toBeGreaterThan(0);
    // The llama3 template, as the example asks, on TensorRT-LLM's ensemble.
    const generate = standIn.requests.find((request) => request.path === '/v2/models/ensemble/generate_stream');
    expect(String(generate?.body.text_input)).toContain('<|start_header_id|>user<|end_header_id|>');
  });

  it('"Real-world setup": the TensorRT-LLM and vLLM targets the README creates are ready', async () => {
    const setups = blocks('## Real-world setup', 2);
    for (const [index, setup] of setups.entries()) {
      const file = join(dir, `setup-${index}.ts`);
      const source = `import { createTritonTarget } from '@switchyard/adapter-triton';\nexport const target = ${swap(setup).trim()}`;
      writeFileSync(file, source);
      const { target } = (await import(pathToFileURL(file).href)) as { target: TritonTarget };
      try {
        expect(await target.checkStatus()).toEqual({ state: 'ready' });
        const answer = await target.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4 });
        expect(answer.text.length).toBeGreaterThan(0);
      } finally {
        await target.dispose?.();
      }
    }
  });
});
