/**
 * contract's README example "Example: checking a state store" is a test file a store author writes: it is run here as
 * written (its imports resolve to this workspace's sources), so it cannot drift. It lives in this package because its
 * store is this one's, and contract cannot depend on a package that depends on it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe } from 'vitest';

const heading = '## Example: checking a state store';
const readme = readFileSync(new URL('../../contract/README.md', import.meta.url), 'utf8');
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
if (block === undefined) throw new Error(`contract/README.md: no \`\`\`ts block under "${heading}"`);

// Written beside this file so the example's bare imports resolve from this package; removed once imported.
const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-state-store-'));
const file = join(dir, 'memory-store.ts');
writeFileSync(file, block);

describe("contract README: the state store suite on core's memory store", async () => {
  try {
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
