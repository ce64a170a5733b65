import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's runnable example ("Runnable on its own") is run as written, as the .mjs file a reader would save (its
// import resolves to this workspace's sources), so it cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '## Use it with the router';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```js\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-quality-'));

describe('README example of @switchyard/quality', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores three prompts and calibrates a threshold that sends one of them remote', async () => {
    if (block === undefined) throw new Error(`packages/quality/README.md: no \`\`\`js block under "${heading}"`);
    const file = join(dir, 'example.mjs');
    writeFileSync(file, block);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    try {
      await import(pathToFileURL(file).href);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    expect(logged).toHaveLength(1);
    const [scores, label, threshold] = logged[0] as [string[], string, number];
    expect(label).toBe('threshold for 1 in 3 remote:');
    expect(scores).toHaveLength(3);
    for (const score of scores) expect(score).toMatch(/^[01]\.\d{3}$/);
    // Under the rule `score >= threshold`, one prompt of the three goes remote: the hardest one.
    const remote = scores.map(Number).filter((score) => score >= threshold);
    expect(remote).toHaveLength(1);
    expect(remote[0]).toBe(Math.max(...scores.map(Number)));
  });

  it('"Retrain on your own labels": cross-validates, trains, writes the weights and makes a scorer from them', async () => {
    const retrain = '### Retrain on your own labels';
    const from = readme.indexOf(`\n${retrain}\n`);
    const source = from < 0 ? undefined : /```js\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
    if (source === undefined) throw new Error(`packages/quality/README.md: no \`\`\`js block under "${retrain}"`);
    // "Your own labels": 200 generated prompts, short facts the local model gets right and long multi-step problems
    // only the remote one does (with a few exceptions each way), in the README's JSONL format.
    const lines: string[] = [];
    for (let index = 0; index < 200; index += 1) {
      const hard = index % 2 === 1;
      const subject = ['geography', 'arithmetic', 'algebra', 'history'][index % 4] ?? 'other';
      const prompt = hard
        ? `Solve step by step: a train leaves at ${index} km/h and another at ${index + 17} km/h; prove when and where the second catches up, and justify every equation.`
        : `What is the capital of country number ${index}?`;
      const weak = hard ? index % 10 === 3 : index % 10 !== 4;
      const strong = index % 20 !== 7;
      lines.push(
        JSON.stringify({
          id: `r${index}`,
          benchmark: hard ? 'gsm8k' : 'mmlu',
          subject,
          prompt,
          weak_correct: weak,
          strong_correct: strong,
        }),
      );
    }
    const labels = join(dir, 'my-labels.jsonl');
    const weightsFile = join(dir, 'my-weights.json');
    writeFileSync(labels, `${lines.join('\n')}\n`);
    let program = source
      .replace("'my-labels.jsonl'", JSON.stringify(labels))
      .replace("'my-weights.json'", JSON.stringify(weightsFile));
    expect(program).not.toContain("'my-");
    program += '\nexport { scorer };\n';
    const file = join(dir, 'retrain.mjs');
    writeFileSync(file, program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    let scorer: (prompt: string) => number;
    try {
      ({ scorer } = await import(pathToFileURL(file).href));
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }
    expect(logged).toEqual([[expect.stringMatching(/^held-out savings vs random: -?\d+\.\d %$/)]]);
    expect(JSON.parse(readFileSync(weightsFile, 'utf8'))).toBeTypeOf('object');
    const easy = scorer('What is the capital of country number 5?');
    const hard = scorer(
      'Solve step by step: a train leaves at 5 km/h and another at 22 km/h; prove when and where the second catches up, and justify every equation.',
    );
    expect(easy).toBeGreaterThanOrEqual(0);
    expect(hard).toBeLessThanOrEqual(1);
    // Trained on these labels, the scorer ranks the long problem as the harder one.
    expect(hard).toBeGreaterThan(easy);
  });
});
