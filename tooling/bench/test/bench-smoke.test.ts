import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreshBuild } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without declarations
import { allRows } from '../src/all-rows.mjs';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bench CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm bench options', () => {
  it('prints its usage for --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: pnpm bench /);
    expect(stdout).toContain('--only a,b');
  });

  it('names a bad option and shows the usage, with exit code 2 and no stack trace', async () => {
    for (const [args, message] of [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--only', 'latency,nope'], '--only: unknown row "nope"'],
      [['--rounds', '0'], '--rounds: expected a whole number ≥ 1, got "0"'],
    ] as const) {
      const { code, stderr } = await runCli([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain(message);
      expect(stderr).toContain('Usage: pnpm bench');
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});

// The bench runs over the built dist of the packages (as `pnpm bench` does after turbo builds them); this is a smoke
// of `--quick`: every row runs and reports finite figures. No thresholds: timings on a shared machine are not tests.
describe('pnpm bench --quick', () => {
  // A stale dist/ would be measured instead of the sources (or fail after the 170 s timeout below).
  beforeAll(() => assertFreshBuild(join(dirname(fileURLToPath(import.meta.url)), '..'), { entries: [] }));

  it('reports every row with finite figures, machine versions and no lost chunks', async () => {
    const out = join(dir, 'report.json');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, '--quick', '--json', '--out', out],
        { timeout: 170_000 },
        (error, text, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(text)),
      );
    });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(JSON.parse(stdout)).toEqual(report);
    expect(report.machine.node).toBe(process.versions.node);
    expect(report.machine.undici).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.machine.loadavgBefore).toHaveLength(3);
    for (const row of allRows) {
      expect(report.rows[row], row).toBeDefined();
      expect(report.rows[row].error, row).toBeUndefined();
    }
    const rowsWithFigures = new Set(report.figures.map((figure: { row: string }) => figure.row));
    expect([...rowsWithFigures].sort()).toEqual([
      '1',
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    for (const figure of report.figures) expect(Number.isFinite(figure.median), figure.name).toBe(true);
    expect(report.rows.streaming.lost).toBe(0);
    expect(report.rows.streaming.lostDirect).toBe(0);
  });
});
