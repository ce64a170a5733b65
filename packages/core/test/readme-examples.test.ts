import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's examples are run as written (their imports resolve to this workspace's sources), so they cannot drift.
// The budget example and the cookbook have their own files (readme-budget-example.test.ts, cookbook.test.ts).
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-core-'));

/** The first ```ts block after `heading`; throws naming both when the README no longer has it. */
function block(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  const found = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (!found) throw new Error(`packages/core/README.md: no \`\`\`ts block under "${heading}"`);
  return found;
}

/**
 * Turns each line `expression; // what it shows` into a recorded value, so the claims the comments make can be
 * checked: the README shows a value by writing the expression with its value as a comment.
 */
function recordShownValues(source: string): string {
  return source.replace(
    /^(?!await |const |let |import )([\w.?[\]()'" :-]+);( \/\/ .*)$/gm,
    'globalThis.readmeShown.push($1);$2',
  );
}

async function run(name: string, source: string): Promise<unknown[]> {
  const shown: unknown[] = [];
  Object.assign(globalThis, { readmeShown: shown });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  await import(pathToFileURL(file).href);
  return shown;
}

describe('README examples of @switchyard/core', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    Reflect.deleteProperty(globalThis, 'readmeShown');
  });

  it('"Example": the laptop answers, a low battery excludes it, and the stream is answered by the GPU', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let logged: unknown[][];
    try {
      await run('example', block('## Example'));
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
      write.mockRestore();
    }
    expect(logged[0]).toEqual(['Hello from the laptop.', 'device']);
    expect(logged[1]?.[0]).toEqual([
      { target: 'device', reason: 'battery', detail: 'battery 10% is below 20% and not charging' },
    ]);
    expect(written.join('')).toBe('Hello from the GPU.');
    expect(logged[2]).toEqual(['\nanswered by', 'gpu']);
  });

  it('"The detector on its own": the pii entry finds a German phone number', async () => {
    const source = recordShownValues(block('### The detector on its own: `@switchyard/core/pii`'));
    expect(await run('pii', source)).toEqual([['phone-number']]);
  });

  it('"Usage the target did not report": a target without usage gets the estimate, marked as such', async () => {
    // The example reads a `router`; here its target reports no usage, as a server that omits it.
    const prelude = [
      "import { createRouter } from '@switchyard/core';",
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      "const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'Hello there.', usage: false }] });",
      'const router = createRouter({ targets: { gpu } });',
    ].join('\n');
    const source = recordShownValues(block('## Usage the target did not report'));
    const [usage, estimated, attemptEstimated, ...rest] = await run('usage', `${prelude}\n${source}`);
    expect(rest).toEqual([]);
    // Input from the prompt the router planned with, output from the text (4 characters a token).
    expect(usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 3 });
    expect(estimated).toBe(true);
    expect(attemptEstimated).toBe(true);
  });
});
