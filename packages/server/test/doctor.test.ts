import { createServer as createHttpServer } from 'node:http';
import { closedPortURL, type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../src/commands/doctor-command.js';
import { run, tempDir } from './cli-helpers.js';

describe('switchyard doctor', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let upstream: OpenAIUpstream;

  beforeAll(async () => {
    files = await tempDir();
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['OK'], eventDelayMs: 1 }) });
  });
  afterAll(async () => {
    await upstream.close();
    await files.remove();
  });

  it('reports each target with timings and what to fix, and exits 1 when any target fails', async () => {
    const config = await files.json('switchyard.config.json', {
      targets: {
        gpu: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' },
        down: { adapter: 'openai', baseURL: `${await closedPortURL()}/v1`, model: 'm' },
        keyless: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow', apiKey: { env: 'SY_DOCTOR_UNSET' } },
        device: { adapter: 'llamacpp', modelPath: './models/not-here.gguf', modelUri: 'hf:acme/tiny-GGUF/tiny.gguf' },
      },
    });
    const text = await run(['doctor', '--config', config, '--timeout', '10000']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/ok {3}gpu \(openai, remote\): ready; status \d+ ms, 1-token generate \d+ ms/);
    expect(text.stdout).toMatch(/FAIL down .*\n(.*\n)*\s+fix: nothing answers at http:\/\/127\.0\.0\.1:\d+\/v1/);
    // The reason names the URL the probe could not reach (it read `Connection to "(unknown)"` before).
    expect(text.stdout).toMatch(
      /FAIL down \(openai, remote\): unavailable — Connection to "http:\/\/127\.0\.0\.1:\d+\/v1\/models" failed: ECONNREFUSED/,
    );
    expect(text.stdout).toContain('fix: export SY_DOCTOR_UNSET=');
    expect(text.stdout).toContain('fix: the model file');
    expect(text.stdout).toContain('switchyard models pull hf:acme/tiny-GGUF/tiny.gguf');
    expect(text.stdout).toContain('3 of 4 targets need attention.');

    const json = await run(['doctor', '--config', config, '--json', '--skip-generate']);
    const reports = (JSON.parse(json.stdout) as { targets: DoctorReport[] }).targets;
    expect(reports.map((report) => [report.target, report.ok])).toEqual([
      ['gpu', true],
      ['down', false],
      ['keyless', false],
      ['device', false],
    ]);
    expect(reports[0]?.generateMs).toBeUndefined();
  });

  it('prints no credentials that a base URL carries (user, password, api-key query)', async () => {
    const closed = new URL(await closedPortURL());
    const config = await files.json('credentials-in-url.json', {
      targets: {
        down: {
          adapter: 'openai',
          baseURL: `http://me:pw-secret@${closed.host}/v1?api-key=sk-query-secret`,
          model: 'm',
        },
      },
    });
    for (const argv of [
      ['doctor', '--config', config],
      ['doctor', '--config', config, '--json'],
    ]) {
      const result = await run(argv);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`nothing answers at http://${closed.host}/v1?api-key=`);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/pw-secret|sk-query-secret/);
    }
  });

  it("names the adapter's secret settings and their variables when the server rejects the credentials", async () => {
    // A loopback HTTP server that answers every request 401, as an upstream with another key would.
    const server = createHttpServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"invalid api key"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const config = await files.json('unauthorized.json', {
        targets: {
          gpu: {
            adapter: 'openai',
            baseURL: `http://127.0.0.1:${port}/v1`,
            model: 'm',
            apiKey: { env: 'SY_DOCTOR_WRONG_KEY' },
          },
        },
      });
      const result = await run(['doctor', '--config', config, '--json'], { env: { SY_DOCTOR_WRONG_KEY: 'sk-wrong' } });
      const [report] = (JSON.parse(result.stdout) as { targets: DoctorReport[] }).targets;
      expect(report?.code).toBe('unauthorized');
      expect(report?.fixes).toEqual([
        'the server rejected the credentials: check targets.gpu.apiKey (environment variable SY_DOCTOR_WRONG_KEY)',
      ]);
      expect(result.stdout).not.toContain('sk-wrong');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a --timeout longer than a timer can wait, which made every probe time out at once', async () => {
    const config = await files.json('timeout.json', {
      targets: { gpu: { adapter: 'openai', baseURL: upstream.baseURL, model: 'm' } },
    });
    const tooLong = await run(['doctor', '--config', config, '--timeout', String(2 ** 31), '--skip-generate']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toBe(
      'doctor: --timeout expects milliseconds from 1 to 2147483647 (24.8 days), got "2147483648"\n',
    );
    const longest = await run(['doctor', '--config', config, '--timeout', String(2 ** 31 - 1), '--skip-generate']);
    expect(longest.code, longest.stdout).toBe(0);
  });

  it('exits 0 when every target is ready', async () => {
    const config = await files.json('healthy.json', {
      targets: { gpu: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
    });
    const result = await run(['doctor', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('All targets are ready.');
  });
});
