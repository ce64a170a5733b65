import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageDir, run, tempDir } from './cli-helpers.js';

const dataPath = join(packageDir, '..', '..', '..', 'shared', 'data', 'routing-quality', 'train.jsonl');
const hasData = existsSync(dataPath);
if (!hasData) {
  console.warn(
    `[server] skipping the routing-quality false-positive check: ${dataPath} is not there (it lives beside the repo in CI).`,
  );
}

interface Summary {
  samples: number;
  kinds: Record<string, { samples: number; found: number; recall: number }>;
  clean: { samples: number; flagged: number; falsePositiveRate: number };
  missed: { line: number; kind: string }[];
  data?: { prompts: number; flagged: number; falsePositiveRate: number };
  scanMicros: { p50: number; p99: number };
}

describe('switchyard eval-privacy', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    files = await tempDir();
  });
  afterAll(() => files.remove());

  it('reaches recall 0.98 per kind and at most 1 % false positives on the shipped corpus', async () => {
    const result = await run(['eval-privacy', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    // The corpus is hundreds of prompts, every kind covered, and a large clean share heavy with numbers.
    expect(summary.samples).toBeGreaterThanOrEqual(300);
    expect(summary.clean.samples).toBeGreaterThanOrEqual(100);
    for (const [kind, entry] of Object.entries(summary.kinds)) {
      expect(entry.samples, kind).toBeGreaterThanOrEqual(8);
      expect(entry.recall, `${kind}: missed ${JSON.stringify(summary.missed)}`).toBeGreaterThanOrEqual(0.98);
    }
    expect(summary.clean.falsePositiveRate).toBeLessThanOrEqual(0.01);
    expect(summary.scanMicros.p50).toBeGreaterThan(0);
  });

  it('prints a table of recall per kind and the false-positive rate', async () => {
    const result = await run(['eval-privacy']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/phone-number\s+\d+\s+\d+\s+\d+\.\d%/);
    expect(result.stdout).toMatch(/Clean prompts: \d+, flagged \d+ \(\d+\.\d% false positives\)/);
  });

  it('scores a corpus given with --corpus, and names what it missed by line', async () => {
    const corpus = await files.json(
      'corpus.jsonl',
      [
        { text: 'Call me on +44 20 7946 0958', kinds: ['phone-number'] },
        { text: 'My name is written nowhere here', kinds: ['person-name'] },
        { text: 'What is 12 × 12?', kinds: [] },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const result = await run(['eval-privacy', '--corpus', corpus, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.kinds['phone-number']).toEqual({ samples: 1, found: 1, recall: 1 });
    expect(summary.kinds['person-name']).toEqual({ samples: 1, found: 0, recall: 0 });
    expect(summary.missed).toEqual([{ line: 2, kind: 'person-name' }]);
    expect(summary.clean).toEqual({ samples: 1, flagged: 0, falsePositiveRate: 0 });
  });

  it('rejects a bad corpus line with its number and the fix, and exits 1', async () => {
    const corpus = await files.json('bad.jsonl', '{"text":"x","kinds":["postcode"]}\n');
    const result = await run(['eval-privacy', '--corpus', corpus]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 1: "kinds" must list kinds from email, phone-number/);
    const flag = await run(['eval-privacy', '--min-confidence', 'high']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/--min-confidence expects a number from 0 to 1/);
  });

  it.skipIf(!hasData)(
    'flags at most 1 % of the routing-quality prompts (GSM8K and MMLU, all clean)',
    async () => {
      const result = await run(['eval-privacy', '--data', dataPath, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as Summary;
      expect(summary.data!.prompts).toBeGreaterThan(10_000);
      expect(summary.data!.falsePositiveRate).toBeLessThanOrEqual(0.01);
    },
    120_000,
  );
});
