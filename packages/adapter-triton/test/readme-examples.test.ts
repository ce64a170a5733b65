import { ReadmeExamples, swapOnce } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TritonTarget } from '../src/index.js';
import { startTritonStandIn, type TritonStandIn } from './triton-stand-in.js';

// The README's examples are run as written against the protocol-faithful Triton stand-in (no Triton can run here),
// serving the README's two model repositories (TensorRT-LLM's `ensemble`, vLLM's `vllm_model`), with only the
// server's address swapped in, so they cannot drift.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url));

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
    swap = (source) => swapOnce(source, "baseURL: 'http://gpu-node-1:8000'", `baseURL: ${JSON.stringify(standIn.url)}`);
  });
  afterAll(async () => {
    await standIn?.close();
    examples.dispose();
  });

  it('"Example": the target is ready and streams an answer', async () => {
    // The example disposes its target itself.
    const { logged, written } = await examples.run('example', swap(examples.block('## Example')));
    expect(logged).toEqual([[{ state: 'ready' }]]);
    expect(written.length).toBeGreaterThan(0);
    // The llama3 template, as the example asks, on TensorRT-LLM's ensemble.
    const generate = standIn.requests.find((request) => request.path === '/v2/models/ensemble/generate_stream');
    expect(String(generate?.body.text_input)).toContain('<|start_header_id|>user<|end_header_id|>');
  });

  it('"Real-world setup": the TensorRT-LLM and vLLM targets the README creates are ready', async () => {
    for (const index of [0, 1]) {
      const setup = examples.block('## Real-world setup', { nth: index, until: /\n## / });
      const source = `import { createTritonTarget } from '@switchyard/adapter-triton';\nexport const target = ${swap(setup).trim()}`;
      const { target } = (await examples.run(`setup-${index}`, source)).exports as { target: TritonTarget };
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
