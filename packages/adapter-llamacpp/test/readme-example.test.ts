import { ensureTinyModel, ReadmeExamples, swapOnce } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// The README's example is run as written on the generated tiny model, in process, so it cannot drift. Only where
// the model comes from changes: a local file instead of a download (tests never download models), on one CPU thread.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url));

describe('README example of @switchyard/adapter-llamacpp (generated tiny model, in process)', () => {
  afterAll(() => examples.dispose());

  it('loads the model, streams an answer and frees it', async () => {
    // 2-core machines: one thread and no GPU probe, as every test here.
    const source = swapOnce(
      examples.block('## Example'),
      /^ {2}modelUri: '[^']+',$/m,
      `  modelPath: ${JSON.stringify(await ensureTinyModel())}, threads: 1, gpu: false, contextSize: 1024,`,
    );
    const { written } = await examples.run('example', source);
    expect(written.length).toBeGreaterThan(0);
  });
});
