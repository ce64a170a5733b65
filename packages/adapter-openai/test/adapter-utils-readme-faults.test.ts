/**
 * adapter-utils' README example "Testing your adapter against faults" is the test file an adapter author writes: it is
 * run here as written (its imports resolve to this workspace's sources), so it cannot drift. It lives in this package
 * because its adapter is this one, and adapter-utils cannot depend on a package that depends on it. Its server is a
 * stand-in (the example's own node:http OpenAI-compatible server); llama-server behind the same proxy is covered by
 * llama-server.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe } from 'vitest';

const readme = readFileSync(new URL('../../adapter-utils/README.md', import.meta.url), 'utf8');
const block = /## Testing your adapter against faults[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
if (block === undefined)
  throw new Error('adapter-utils/README.md: no ```ts block under "## Testing your adapter against faults"');

// Written beside this file, not in the OS temp directory, so the example's bare imports (`vitest`) resolve from this
// package; removed once imported.
const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-faults-'));
const file = join(dir, 'my-adapter-faults.ts');
writeFileSync(file, block);

describe("adapter-utils README: the fault suite through startFaultProxy (the example's stand-in server)", async () => {
  try {
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
