import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTinyModel } from '@switchyard/testkit';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's example is run as written on the generated tiny model, in process, so it cannot drift. Only where
// the model comes from changes: a local file instead of a download (tests never download models), on one CPU thread.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Example';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-llamacpp-'));

describe('README example of @switchyard/adapter-llamacpp (generated tiny model, in process)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the model, streams an answer and frees it', async () => {
    if (block === undefined)
      throw new Error(`packages/adapter-llamacpp/README.md: no \`\`\`ts block under "${heading}"`);
    const modelUri = /^ {2}modelUri: '[^']+',$/m;
    expect(block).toMatch(modelUri);
    // 2-core machines: one thread and no GPU probe, as every test here.
    const source = block.replace(
      modelUri,
      `  modelPath: ${JSON.stringify(await ensureTinyModel())}, threads: 1, gpu: false, contextSize: 1024,`,
    );
    const file = join(dir, 'example.ts');
    writeFileSync(file, source);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await import(pathToFileURL(file).href);
    } finally {
      write.mockRestore();
    }
    expect(written.join('').length).toBeGreaterThan(0);
  });
});
