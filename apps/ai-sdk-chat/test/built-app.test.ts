/**
 * The example as `pnpm ai-sdk-chat` runs it: `node dist/main.js` from `pnpm build`, its page loaded in headless
 * Chromium, one message. The page test runs the server in-process from the sources and bundles the page itself
 * (build-page.ts); this one loads what the build wrote, so a build that leaves the page broken fails here.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertFreshBuild, chromiumArgs, chromiumPath, watchPageErrors } from '@switchyard/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const builtMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Generous: two llama.cpp models in the server process and the rest of the suite share 2 cores. */
const timeout = 180_000;

let chat: ChildProcess;
let url: string;
let browser: Browser;
let output = '';

/** Starts `node dist/main.js` on a free port (`PORT=0`) and resolves with the URL it prints. */
function startBuiltChat(): Promise<string> {
  chat = spawn(process.execPath, [builtMain], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0' },
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /➜\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    };
    chat.stdout?.on('data', onData);
    chat.stderr?.on('data', onData);
    chat.once('exit', (code) => reject(new Error(`the chat server exited (${code}) before serving:\n${output}`)));
  });
}

beforeAll(async () => {
  // A stale build would otherwise show as a page that never gets ready, after the timeouts below.
  assertFreshBuild(fileURLToPath(new URL('..', import.meta.url)), {
    entries: ['dist/main.js', 'dist/web/app.js'],
    copies: [['src/web/index.html', 'dist/web/index.html']],
  });
  url = await startBuiltChat();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, timeout);

afterAll(async () => {
  await browser?.close();
  if (chat && chat.exitCode === null) {
    const exited = new Promise((resolve) => chat.once('exit', resolve));
    chat.kill('SIGINT');
    await exited;
  }
});

describe('the built AI SDK chat (`node dist/main.js`) in headless Chromium', () => {
  it('answers a message on its page with the route, and the page reports no error', async () => {
    const page = await browser.newPage();
    const { errors, until } = watchPageErrors(page);
    try {
      await page.goto(url);
      await until(page.locator('body[data-ready="true"]').waitFor({ timeout }));
      await page.fill('#prompt', 'Name three rail yards.');
      await page.click('#send');
      const answer = page.locator('.msg.assistant').first();
      await until(answer.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout }));
      expect(`${await answer.getAttribute('data-state')}: ${await answer.textContent()}`).toMatch(/^done: /);
      expect(await answer.locator('.route').textContent()).toContain('gpu · remote');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the built AI SDK chat (`node dist/main.js`) on bad input', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [builtMain, ...args], { env: { ...process.env, ...env }, timeout }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('prints its usage for --help and starts nothing', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('pnpm ai-sdk-chat [--port <n>]');
    expect(stdout).not.toContain('preparing targets');
  });

  it('names PORT and the fix for a bad port, before starting any target', async () => {
    const { code, stdout, stderr } = await run([], { PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT: expected a port number from 0 to 65535 (0 picks a free one), got "abc"');
    expect(stdout).not.toContain('preparing targets');
  });

  it('refuses an unknown flag instead of starting anyway', async () => {
    const { code, stderr } = await run(['--prot', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown argument --prot 0');
  });

  it('says which setting to change when the port is taken', async () => {
    const taken = new URL(url).port;
    const { code, stderr } = await run([], { PORT: taken });
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${taken} is in use: pass --port <n> or set PORT (0 picks a free one)`);
  });
});
