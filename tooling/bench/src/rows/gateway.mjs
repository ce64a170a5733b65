// Row 7: the gateway. `switchyard serve` (a child process, built from @switchyard/server's dist, one remote target
// on the loopback upstream) against the upstream called directly, under the same autocannon load: same body, same
// connections, same duration, alternating order round by round. Latency comes from autocannon's per-response
// timings (float ms from hrtime; its own histogram rounds to whole ms, too coarse here).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { armOrder, maxTokens, prompt } from '../clients.mjs';
import { paired, percentile } from '../stats.mjs';

async function startGateway(upstream) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const config = join(dir, 'switchyard.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      targets: { gpu: { adapter: 'openai', baseURL: `${upstream}/v1`, model: 'zero' } },
      policy: { mode: 'remote-only' },
    }),
  );
  const cli = join(dirname(fileURLToPath(import.meta.resolve('@switchyard/server'))), 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--config', config, '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /gateway on (http:\/\/[^\s/]+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`switchyard serve exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  return {
    url,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function load(origin, model, { connections, seconds }) {
  const times = [];
  const instance = autocannon({
    url: `${origin}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens }),
    connections,
    duration: seconds,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200) times.push(responseTime * 1000);
  });
  const result = await instance;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `gateway: ${model} had ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), rps: times.length / seconds };
}

export async function run({ upstream, rounds, quick, log }) {
  const gateway = await startGateway(upstream);
  const options = { connections: 16, seconds: quick ? 1 : 4 };
  const perRound = { direct: [], gateway: [] };
  try {
    for (let round = 0; round <= rounds; round += 1) {
      const record = {};
      for (const arm of armOrder(['direct', 'gateway'], round)) {
        record[arm] =
          arm === 'direct'
            ? await load(upstream, 'zero', options)
            : await load(gateway.url, 'switchyard/auto', options);
      }
      if (round === 0) continue;
      perRound.direct.push(record.direct);
      perRound.gateway.push(record.gateway);
      log(
        `gateway round ${round}: p50 direct ${record.direct.p50.toFixed(0)} µs gateway ${record.gateway.p50.toFixed(0)} µs; ` +
          `rps direct ${record.direct.rps.toFixed(0)} gateway ${record.gateway.rps.toFixed(0)}`,
      );
    }
  } finally {
    await gateway.close();
  }
  const pick = (arm, figure) => perRound[arm].map((entry) => entry[figure]);
  return {
    unit: 'µs',
    tool: 'autocannon',
    ...options,
    p50: paired(pick('gateway', 'p50'), pick('direct', 'p50')),
    p99: paired(pick('gateway', 'p99'), pick('direct', 'p99')),
    rps: paired(pick('gateway', 'rps'), pick('direct', 'rps')),
  };
}
