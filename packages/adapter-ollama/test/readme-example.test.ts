import { ReadmeExamples, swapOnce } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OllamaStandIn, startOllamaStandIn } from './ollama-stand-in.js';

// The README's example is run as written against the protocol-faithful Ollama stand-in (no Ollama can be installed
// here), with only the daemon's address added, so it cannot drift. The model is not pulled yet, so the example's whole
// path runs: the status names the fix, the target pulls it with progress, then streams.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url));

describe('README example of @switchyard/adapter-ollama (protocol-faithful Ollama stand-in)', () => {
  let standIn: OllamaStandIn;
  beforeAll(async () => {
    standIn = await startOllamaStandIn({ pulled: [] });
  });
  afterAll(async () => {
    await standIn?.close();
    examples.dispose();
  });

  it('finds the model not pulled, pulls it with progress and streams an answer', async () => {
    const factory = "createOllamaTarget({ model: 'llama3.2:3b',";
    const source = swapOnce(
      examples.block('## Example'),
      factory,
      `createOllamaTarget({ baseURL: ${JSON.stringify(standIn.url)}, model: 'llama3.2:3b',`,
    );
    const { logged, written } = await examples.run('example', source);
    const [reason, ...progress] = logged.map((args) => args.join(' '));
    expect(reason).toBe('Ollama model "llama3.2:3b" is not pulled — run `ollama pull llama3.2:3b` (or call pull())');
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^\S.* \d{1,3}%$/);
    expect(progress.at(-1)).toBe('success 100%');
    expect(standIn.pulled.has('llama3.2:3b')).toBe(true);
    expect(written.length).toBeGreaterThan(0);
  });
});
