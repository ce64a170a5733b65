import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's example is run as written (its imports resolve to this workspace's sources), so it cannot drift.
// Its "checking a state store" example runs in core's tests (readme-contract-state-store.test.ts): it needs core.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Example: validating a request and handling errors';
const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(Math.max(0, readme.indexOf(`\n${heading}\n`))))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-contract-'));

describe('README example of @switchyard/contract', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('"Example: validating a request": a robot role is an InvalidRequestError naming messages[0].role', async () => {
    if (!readme.includes(`\n${heading}\n`) || block === undefined)
      throw new Error(`packages/contract/README.md: no \`\`\`ts block under "${heading}"`);
    const file = join(dir, 'example.ts');
    // The example's describe(error) is how a reader tells errors apart: export it, to check what it answers.
    writeFileSync(file, `${block}\nexport { describe };\n`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    let describeError: (error: unknown) => string;
    try {
      ({ describe: describeError } = await import(pathToFileURL(file).href));
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    expect(logged).toEqual([
      [[{ path: 'messages[0].role', message: 'expected one of "system", "user", "assistant", "tool"' }]],
    ]);
    const { ApiCallError, TimeoutError } = await import('../src/index.js');
    expect(
      describeError(new ApiCallError({ target: 'gpu', url: 'http://127.0.0.1:1/v1', status: 429, retryAfterMs: 2000 })),
    ).toBe('HTTP 429, retry in 2000 ms');
    expect(describeError(new TimeoutError({ target: 'gpu', phase: 'total', timeoutMs: 10 }))).toBe(
      'timeout (retryable: true)',
    );
    expect(describeError(new Error('x'))).toBe('unknown');
  });
});
