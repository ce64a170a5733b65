import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadmeExamples, swapOnce } from '../src/readme-examples.js';

const folder = mkdtempSync(join(tmpdir(), 'switchyard-readme-test-'));
const readme = join(folder, 'README.md');
writeFileSync(
  readme,
  [
    '# pkg',
    '## Example',
    '```ts',
    "console.log('one', { n: 1 });",
    "process.stdout.write('streamed');",
    'export const answer = 42;',
    '```',
    '```ts',
    'second',
    '```',
    '## Other',
    '```js',
    'third',
    '```',
    '',
  ].join('\n'),
);
const examples = new ReadmeExamples(pathToFileURL(readme));

afterAll(() => {
  examples.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('ReadmeExamples', () => {
  it('takes the nth block of a language after a heading, within its section when asked', () => {
    expect(examples.block('## Example', { nth: 1 })).toBe('second\n');
    expect(examples.block('## Example', { lang: 'js' })).toBe('third\n');
    expect(() => examples.block('## Example', { lang: 'js', until: /\n## / })).toThrow(
      /no ```js block 1 under "## Example"/,
    );
    expect(() => examples.block('## Gone')).toThrow(/README\.md: no ```ts block 1 under "## Gone"/);
  });

  it('runs a block as a module, capturing what it logs and writes, and restores the console', async () => {
    const log = console.log;
    const run = await examples.run('example', examples.block('## Example'));
    expect(run.logged).toEqual([['one', { n: 1 }]]);
    expect(run.written).toBe('streamed');
    expect(run.exports.answer).toBe(42);
    expect(console.log).toBe(log);
  });
});

describe('swapOnce', () => {
  it('replaces a string or pattern that occurs as often as expected, and throws otherwise', () => {
    expect(swapOnce("baseURL: 'http://gpu:8000'", "'http://gpu:8000'", "'http://127.0.0.1:1'")).toBe(
      "baseURL: 'http://127.0.0.1:1'",
    );
    expect(swapOnce('a a', /a/, '$1', 2)).toBe('$1 $1');
    expect(swapOnce('x = f(1);', /f\((\d)\)/, (_, digit) => `g(${digit})`)).toBe('x = g(1);');
    expect(() => swapOnce('a a', 'a', 'b')).toThrow(/expected 1 occurrence\(s\) of a in the README example, found 2/);
  });
});
