import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's budget example is run as written (its imports resolve to this workspace's sources), so it cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = /## Budgets that bind[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-'));

describe('README: budgets that bind', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the example: two routers on one store spend the shared $2 and the third request is refused', async () => {
    expect(block).toBeDefined();
    const file = join(dir, 'budget-example.ts');
    writeFileSync(file, block!);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(pathToFileURL(file).href);
      expect(log).toHaveBeenCalledWith('period', 2);
    } finally {
      log.mockRestore();
    }
  });
});
