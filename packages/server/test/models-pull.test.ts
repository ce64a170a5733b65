import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run, tempDir } from './cli-helpers.js';

const model = randomBytes(300 * 1024);

describe('switchyard models pull against a loopback file server', () => {
  let server: Server;
  let origin: string;
  let files: Awaited<ReturnType<typeof tempDir>>;
  const ranges: (string | undefined)[] = [];
  // When set, the next response sends this many bytes and then stalls until the client goes away.
  let stallAfter: number | undefined;

  beforeAll(async () => {
    files = await tempDir();
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = match ? Number(match[1]) : 0;
      const headers: Record<string, string | number> = {
        'content-type': 'application/octet-stream',
        'content-length': model.length - start,
      };
      if (match) headers['content-range'] = `bytes ${start}-${model.length - 1}/${model.length}`;
      response.writeHead(match ? 206 : 200, headers);
      if (stallAfter !== undefined) {
        response.write(model.subarray(start, start + stallAfter));
        stallAfter = undefined;
        return;
      }
      response.end(model.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await files.remove();
  });

  it('downloads the file, shows size, speed and ETA, and prints the path', async () => {
    const dir = join(files.dir, 'fresh');
    const result = await run(['models', 'pull', `${origin}/models/tiny.gguf`, '--dir', dir]);
    expect(result.code).toBe(0);
    const path = result.stdout.trim();
    expect(path).toBe(join(dir, 'tiny.gguf'));
    expect((await readFile(path)).equals(model)).toBe(true);
    expect(result.stderr).toMatch(/\[#+\] 100%\s+307\.2 KB \/ 307\.2 KB\s+\S+ \S+\/s\s+ETA 0s/);

    const again = await run(['models', 'pull', `${origin}/models/tiny.gguf`, '--dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Already downloaded');
  });

  it('resumes an interrupted pull from where it stopped', async () => {
    const dir = join(files.dir, 'resume');
    const uri = `${origin}/models/resumable.gguf`;
    stallAfter = 100 * 1024;
    const controller = new AbortController();
    const first = run(['models', 'pull', uri, '--dir', dir], { signal: controller.signal });
    const partial = join(dir, 'resumable.gguf.partial');
    await vi.waitFor(async () => expect((await stat(partial)).size).toBe(100 * 1024), { timeout: 10_000 });
    controller.abort();
    const interrupted = await first;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('run the same command again to resume');

    ranges.length = 0;
    const resumed = await run(['models', 'pull', uri, '--dir', dir]);
    expect(resumed.code).toBe(0);
    expect(ranges).toEqual([`bytes=${100 * 1024}-`]);
    expect(resumed.stderr).toContain('Resuming after 102.4 KB');
    expect((await readFile(join(dir, 'resumable.gguf'))).equals(model)).toBe(true);
    expect(existsSync(partial)).toBe(false);
  });

  it('fails with exit code 1 and names the argument or flag for a URI, hash or folder it cannot use', async () => {
    const result = await run(['models', 'pull', 'ftp://example.invalid/x.gguf', '--dir', files.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('models pull: <uri>: expected an hf:, https: or http: URI, got "ftp://');
    // Loopback port 9 (discard): nothing is fetched, the arguments are refused first.
    const hash = await run(['models', 'pull', 'http://127.0.0.1:9/m.gguf', '--sha256', 'xyz', '--dir', files.dir]);
    expect(hash.stderr).toContain('models pull: --sha256: expected 64 hexadecimal characters');
    const file = join(files.dir, 'not-a-folder.gguf');
    await writeFile(file, 'x');
    const notFolder = await run(['models', 'pull', 'http://127.0.0.1:9/m.gguf', '--dir', file]);
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toContain(`models pull: --dir ${file} is a file, not a folder; pass the folder`);
    expect(notFolder.stderr).not.toMatch(/\n\s+at /);
  });
});
