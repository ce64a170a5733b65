import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvalRouterCli } from './run-eval-router-cli.js';

function collector() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
    },
  };
}

const line = (i: number) =>
  JSON.stringify({
    id: `r${i}`,
    benchmark: i % 2 ? 'gsm8k' : 'mmlu',
    subject: null,
    prompt: i % 2 ? `Tom has ${i} apples and buys ${i * 3} more at $2 each. How much did he spend?` : `Capital ${i}?`,
    weak_correct: i % 3 !== 0,
    strong_correct: i % 7 !== 0,
  });

describe('switchyard-eval-router', () => {
  let dir: string;
  let data: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-eval-cli-'));
    data = join(dir, 'labelled.jsonl');
    await writeFile(data, `${Array.from({ length: 60 }, (_, i) => line(i)).join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the issue’s five figures (and the curve) as JSON with --json', async () => {
    const { out, io } = collector();
    expect(await runEvalRouterCli(['--data', data, '--json'], io)).toBe(0);
    const json = JSON.parse(out.stdout) as Record<string, unknown>;
    for (const key of ['strongShareAt95', 'randomShareAt95', 'oracleShareAt95', 'savingsVsRandom', 'scoreP99Micros']) {
      expect(typeof json[key]).toBe('number');
    }
    expect(json.curve).toHaveLength(101);
    expect(json.svg).toBeUndefined();
  });

  it('prints the figures, the cost–quality curve and writes the plot with --plot', async () => {
    const { out, io } = collector();
    const plot = join(dir, 'curve.svg');
    expect(await runEvalRouterCli(['--data', data, '--plot', plot], io)).toBe(0);
    expect(out.stdout).toMatch(/router +\d+\.\d%\n +random +\d+\.\d%\n +oracle +\d+\.\d%/);
    expect(out.stdout).toMatch(/savings vs random: -?\d+\.\d%/);
    expect(out.stdout).toMatch(/scoring p99: \d+\.\d µs per prompt/);
    expect(out.stdout).toContain('cost–quality curve:');
    expect(out.stdout).toMatch(/\n +0\.0% +\d+\.\d% +\d+\.\d% +\d+\.\d%\n/);
    expect(out.stdout).toMatch(/\n +100\.0% +\d+\.\d% +\d+\.\d% +\d+\.\d%\n/);
    expect(await readFile(plot, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\s*$/);
  });

  it('exits 2 with the usage when --data is missing or an option is unknown', async () => {
    for (const argv of [[], ['--data', data, '--bogus']]) {
      const { out, io } = collector();
      expect(await runEvalRouterCli(argv, io)).toBe(2);
      expect(out.stderr).toContain('usage: switchyard-eval-router --data <file.jsonl>');
    }
  });

  it('exits 1 naming the file, line and field of bad data', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(
      bad,
      `${line(1)}\n{"id":"x","benchmark":"mmlu","prompt":"Q","weak_correct":"no","strong_correct":true}\n`,
    );
    const { out, io } = collector();
    expect(await runEvalRouterCli(['--data', bad], io)).toBe(1);
    expect(out.stderr).toMatch(/bad\.jsonl line 2: weak_correct/);
    const missing = collector();
    expect(await runEvalRouterCli(['--data', join(dir, 'nope.jsonl')], missing.io)).toBe(1);
    expect(missing.out.stderr).toMatch(/cannot read ".*nope\.jsonl"/);
  });
});
