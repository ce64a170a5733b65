import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OllamaStandIn, startOllamaStandIn } from './ollama-stand-in.js';

// The README's example is run as written against the protocol-faithful Ollama stand-in (no Ollama can be installed
// here), with only the daemon's address added, so it cannot drift. The model is not pulled yet, so the example's whole
// path runs: the status names the fix, the target pulls it with progress, then streams.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Example';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-ollama-'));

describe('README example of @switchyard/adapter-ollama (protocol-faithful Ollama stand-in)', () => {
  let standIn: OllamaStandIn;
  beforeAll(async () => {
    standIn = await startOllamaStandIn({ pulled: [] });
  });
  afterAll(async () => {
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the model not pulled, pulls it with progress and streams an answer', async () => {
    if (block === undefined) throw new Error(`packages/adapter-ollama/README.md: no \`\`\`ts block under "${heading}"`);
    const factory = "createOllamaTarget({ model: 'llama3.2:3b',";
    expect(block.split(factory)).toHaveLength(2);
    const source = block.replace(
      factory,
      `createOllamaTarget({ baseURL: ${JSON.stringify(standIn.url)}, model: 'llama3.2:3b',`,
    );
    const file = join(dir, 'example.ts');
    writeFileSync(file, source);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let logged: unknown[][];
    try {
      await import(pathToFileURL(file).href);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
      write.mockRestore();
    }
    const [reason, ...progress] = logged.map((args) => args.join(' '));
    expect(reason).toBe('Ollama model "llama3.2:3b" is not pulled — run `ollama pull llama3.2:3b` (or call pull())');
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^\S.* \d{1,3}%$/);
    expect(progress.at(-1)).toBe('success 100%');
    expect(standIn.pulled.has('llama3.2:3b')).toBe(true);
    expect(written.join('').length).toBeGreaterThan(0);
  });
});
