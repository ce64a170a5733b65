import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The README's example is run as written on this machine's real readings. Its free names (`targets`, `policy`) are
// given scripted targets, and its remote base URL becomes a loopback server (network: loopback only).
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Example';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-signals-node-'));
const remote = createServer((_request, response) => response.writeHead(200).end('ok'));

describe('README example of @switchyard/signals-node (this machine, a loopback remote)', () => {
  beforeAll(async () => {
    await once(remote.listen(0, '127.0.0.1'), 'listening');
  });
  afterAll(() => {
    remote.closeAllConnections();
    remote.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the device, the reachable remote and the metered setting, and routes with them', async () => {
    if (block === undefined) throw new Error(`packages/signals-node/README.md: no \`\`\`ts block under "${heading}"`);
    const { port } = remote.address() as AddressInfo;
    const url = "'http://10.0.0.5:8000/v1'";
    expect(block.split(url)).toHaveLength(2);
    const prelude = [
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      "const targets = { device: createScriptedTarget({ id: 'device' }), gpu: createScriptedTarget({ id: 'gpu', locality: 'remote' }) };",
      "const policy = { mode: 'prefer-local' as const };",
    ].join('\n');
    const file = join(dir, 'example.ts');
    writeFileSync(
      file,
      `${prelude}\n${block.replace(url, `'http://127.0.0.1:${port}/v1'`)}\nexport { router, signals };\n`,
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    let exported: { router: { plan(request: unknown): { plan: Array<{ target: string }> } }; signals: unknown };
    try {
      exported = await import(pathToFileURL(file).href);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    // The one read() the example prints (change lines, if a reading changed meanwhile, have the form the README shows).
    const reads = logged.filter((args) => typeof args[0] === 'object');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.[0]).toMatchObject({
      memory: { freeBytes: expect.any(Number), totalBytes: expect.any(Number) },
      cpu: { load: expect.any(Number) },
      network: { online: true, metered: false },
    });
    for (const [line] of logged.filter((args) => typeof args[0] === 'string')) expect(line).toMatch(/^\w+: .* → .*$/);
    expect(exported.router.plan({ messages: [{ role: 'user', content: 'Hi' }] }).plan[0]?.target).toBe('device');
  });
});
