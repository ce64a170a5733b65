import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's runnable example ("Runnable on its own") is run as written, as the .mjs file a reader would save (its
// import resolves to this workspace's sources), so it cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Use it with the router';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```js\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-quality-'));

describe('README example of @switchyard/quality', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores three prompts and calibrates a threshold that sends one of them remote', async () => {
    if (block === undefined) throw new Error(`packages/quality/README.md: no \`\`\`js block under "${heading}"`);
    const file = join(dir, 'example.mjs');
    writeFileSync(file, block);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    try {
      await import(pathToFileURL(file).href);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    expect(logged).toHaveLength(1);
    const [scores, label, threshold] = logged[0] as [string[], string, number];
    expect(label).toBe('threshold for 1 in 3 remote:');
    expect(scores).toHaveLength(3);
    for (const score of scores) expect(score).toMatch(/^[01]\.\d{3}$/);
    // Under the rule `score >= threshold`, one prompt of the three goes remote: the hardest one.
    const remote = scores.map(Number).filter((score) => score >= threshold);
    expect(remote).toHaveLength(1);
    expect(remote[0]).toBe(Math.max(...scores.map(Number)));
  });
});
