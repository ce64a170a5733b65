import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingRecords, readRoutingRecords } from './routing-record.js';

const good = (id: string) =>
  JSON.stringify({
    id,
    benchmark: 'mmlu',
    subject: 'anatomy',
    prompt: 'Q?',
    weak_correct: true,
    strong_correct: false,
  });

describe('parseRoutingRecords', () => {
  it('reads records, skipping blank lines and ignoring extra keys', () => {
    const text = `${good('a')}\n\n${JSON.stringify({ id: 'b', benchmark: 'gsm8k', prompt: 'How many?', weak_correct: false, strong_correct: true, extra: 1 })}\n`;
    expect(parseRoutingRecords(text)).toEqual([
      { id: 'a', benchmark: 'mmlu', subject: 'anatomy', prompt: 'Q?', weakCorrect: true, strongCorrect: false },
      { id: 'b', benchmark: 'gsm8k', subject: null, prompt: 'How many?', weakCorrect: false, strongCorrect: true },
    ]);
  });

  it('names the line and field of every bad line', () => {
    const text = [
      good('a'),
      JSON.stringify({
        id: 'b',
        benchmark: 'mmlu',
        subject: null,
        prompt: 'Q',
        weak_correct: 'yes',
        strong_correct: true,
      }),
      '{"id": "c", oops',
      JSON.stringify({ id: 'd', benchmark: 'mmlu', subject: null, weak_correct: true, strong_correct: true }),
    ].join('\n');
    let thrown: unknown;
    try {
      parseRoutingRecords(text, 'train.jsonl');
    } catch (error) {
      thrown = error;
    }
    expect(InvalidConfigError.isInstance(thrown)).toBe(true);
    const problems = (thrown as InvalidConfigError).problems;
    expect(problems.map((problem) => problem.path)).toEqual([
      'train.jsonl line 2: weak_correct',
      'train.jsonl line 3',
      'train.jsonl line 4: prompt',
    ]);
    expect(problems[0]!.message).toMatch(/boolean/);
    expect(problems[1]!.message).toMatch(/not valid JSON/);
    expect((thrown as Error).message).toMatch(/train\.jsonl line 2: weak_correct: expected boolean/);
  });

  it('rejects a file with no records', () => {
    expect(() => parseRoutingRecords('\n\n', 'empty.jsonl')).toThrowError(/empty\.jsonl: has no records/);
  });

  it('caps the problem list and says how many lines were bad', () => {
    const text = Array.from({ length: 30 }, () => '{').join('\n');
    try {
      parseRoutingRecords(text);
      expect.unreachable();
    } catch (error) {
      const problems = (error as InvalidConfigError).problems;
      expect(problems).toHaveLength(21);
      expect(problems.at(-1)!.message).toMatch(/30 bad lines in all/);
    }
  });
});

describe('readRoutingRecords', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-quality-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a JSONL file from disk', async () => {
    const path = join(dir, 'ok.jsonl');
    await writeFile(path, `${good('a')}\n${good('b')}\n`);
    expect((await readRoutingRecords(path)).map((record) => record.id)).toEqual(['a', 'b']);
  });

  it('reports a missing file by path', async () => {
    await expect(readRoutingRecords(join(dir, 'missing.jsonl'))).rejects.toThrowError(
      /data: cannot read ".*missing\.jsonl" \(ENOENT\)/,
    );
  });
});
