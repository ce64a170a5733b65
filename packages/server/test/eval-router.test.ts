import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from './cli-helpers.js';

/** Labelled prompts: long, technical ones are the ones the weak model gets wrong. */
function records(): string {
  const lines: string[] = [];
  for (let index = 0; index < 40; index++) {
    const hard = index % 2 === 0;
    const prompt = hard
      ? `Prove that the spectral radius of matrix ${index} bounds every induced norm, then derive the convergence rate of the Jacobi iteration.`
      : `What colour is a ripe banana? (${index})`;
    lines.push(
      JSON.stringify({
        id: `r${index}`,
        benchmark: 'synthetic',
        subject: null,
        prompt,
        weak_correct: !hard,
        strong_correct: true,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('switchyard eval-router', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  beforeAll(async () => {
    files = await tempDir();
    data = await files.json('routing.jsonl', records());
  });
  afterAll(() => files.remove());

  it('prints the headline figures as JSON with --json', async () => {
    const result = await run(['eval-router', '--data', data, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary)).toEqual([
      'strongShareAt95',
      'randomShareAt95',
      'oracleShareAt95',
      'savingsVsRandom',
      'scoreP99Micros',
    ]);
    // Half the prompts need the strong model: an oracle sends 45 % of them, random routing 90 %.
    expect(summary.oracleShareAt95).toBeCloseTo(0.45, 5);
    expect(summary.randomShareAt95).toBeCloseTo(0.9, 5);
    expect(summary.scoreP99Micros).toBeGreaterThan(0);
  });

  it('prints a readable report with the curve and writes the SVG plot', async () => {
    const result = await run(['eval-router', '--data', data, '--plot', join(files.dir, 'curve.svg')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Records: 40');
    expect(result.stdout).toMatch(/random\s+90\.0%/);
    expect(result.stdout).toContain('Cost–quality curve:');
    expect(await readFile(join(files.dir, 'curve.svg'), 'utf8')).toMatch(/<svg[\s>]/);
  });

  it('reports bad data lines by line number and exits 1', async () => {
    const bad = await files.json(
      'bad.jsonl',
      '{"id":"a","benchmark":"b","prompt":"p","weak_correct":"yes","strong_correct":true}\n',
    );
    const result = await run(['eval-router', '--data', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 1: weak_correct/);
    expect(result.stderr.split('\n')[0]).toBe(`Invalid eval-router data (--data ${bad}):`);
    expect(result.stderr).not.toContain('configuration');
  });

  it('names the --data flag when the file cannot be read, and --plot when the plot cannot be written', async () => {
    const missing = join(files.dir, 'missing.jsonl');
    const unread = await run(['eval-router', '--data', missing]);
    expect(unread.code).toBe(1);
    expect(unread.stderr).toBe(
      `Invalid eval-router data (--data ${missing}):\n  - data: cannot read "${missing}" (ENOENT)\n`,
    );
    const plot = join(files.dir, 'no-such-folder', 'curve.svg');
    const unwritten = await run(['eval-router', '--data', data, '--plot', plot]);
    expect(unwritten.code).toBe(1);
    expect(unwritten.stderr).toBe(`Cannot write the plot (--plot ${plot}) to ${plot}: ENOENT\n`);
  });
});
