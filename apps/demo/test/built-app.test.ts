/**
 * The demo as `pnpm demo` runs it: `node dist/main.js` from `pnpm build`, its page (server mode and "in this
 * browser") loaded in headless Chromium, one message each. The page tests run the demo in-process from the sources
 * and bundle the page themselves; this one is what a user gets, so a build that leaves the page broken (as tsup's
 * bare imports once did for /in-browser) fails here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertFreshBuild,
  chromiumArgs,
  chromiumPath,
  closedPortURL,
  ensureTinyModel,
  watchPageErrors,
} from '@switchyard/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const builtMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Generous: two llama.cpp models in the demo process, wllama in the page, and the rest of the suite share 2 cores. */
const timeout = 180_000;

let demo: ChildProcess;
let url: string;
let browser: Browser;

/** Starts `node dist/main.js --port 0 …args` and resolves with the process and the URL it prints. */
function startBuiltDemo(args: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [builtMain, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      const found = /Switchyard demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed);
      if (found?.[1]) resolve({ child, url: found[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}) before serving:\n${printed}`)));
  });
}

/** Ctrl-C, as a user stops it; resolves once the process has exited. */
async function stopDemo(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** Opens `path`, sends one message, waits for its answer; returns the route line and what the page reported. */
async function askOn(
  path: string,
  waitForDevice: boolean,
): Promise<{ state: string; route: string; errors: string[] }> {
  const page: Page = await browser.newPage();
  const { errors, until } = watchPageErrors(page, path);
  try {
    await page.goto(new URL(path, url).href);
    await until(page.locator('body[data-ready="true"]').waitFor({ timeout }));
    if (waitForDevice) {
      await until(page.locator('#targets [data-target="device"]', { hasText: 'ready' }).waitFor({ timeout }));
    }
    await page.fill('#prompt', 'Name three rail yards.');
    await page.click('#send');
    const answer = page.locator('.msg.assistant').first();
    await until(answer.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout }));
    return {
      state: `${await answer.getAttribute('data-state')}: ${await answer.textContent()}`,
      route: (await answer.getByTestId('route').textContent()) ?? '',
      errors,
    };
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  // A stale build would otherwise show as a page that never gets ready, after the timeouts below.
  assertFreshBuild(fileURLToPath(new URL('..', import.meta.url)), {
    entries: ['dist/main.js', 'dist/web/app.js', 'dist/web/page-runtime.js'],
    copies: [
      ['src/web/index.html', 'dist/web/index.html'],
      ['src/web/styles.css', 'dist/web/styles.css'],
    ],
  });
  ({ child: demo, url } = await startBuiltDemo());
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, timeout);

afterAll(async () => {
  await browser?.close();
  await stopDemo(demo);
});

describe('the built demo (`node dist/main.js`) in headless Chromium', () => {
  it('answers a message on its page with the route, and the page reports no error', async () => {
    const { state, route, errors } = await askOn('/', false);
    expect(state).toMatch(/^done: /);
    expect(route).toContain('device · local');
    expect(errors).toEqual([]);
  });

  it('answers a message on /in-browser with the router in the tab, and the page reports no error', async () => {
    const { state, route, errors } = await askOn('/in-browser', true);
    expect(state).toMatch(/^done: /);
    expect(route).toContain('device · local');
    expect(errors).toEqual([]);
  });
});

describe('the built demo started with --config, on /in-browser', () => {
  let configured: ChildProcess | undefined;
  let work: string | undefined;
  afterAll(async () => {
    await stopDemo(configured);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('says in the page why it cannot run there, instead of a blank page and an error in the console', async () => {
    // A config's targets are never handed to a page: before, the page threw "targets: expected at least one target".
    work = await mkdtemp(join(tmpdir(), 'switchyard-demo-config-'));
    const config = join(work, 'switchyard.config.json');
    await writeFile(
      config,
      JSON.stringify({
        targets: {
          device: { adapter: 'llamacpp', modelPath: await ensureTinyModel() },
          gpu: { adapter: 'openai', baseURL: `${await closedPortURL()}/v1`, model: 'm' },
        },
      }),
    );
    const started = await startBuiltDemo(['--config', config]);
    configured = started.child;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    try {
      await page.goto(new URL('/in-browser', started.url).href);
      await page.locator('body[data-ready="unavailable"]').waitFor({ timeout });
      const notice = await page.getByTestId('page-backend-error').textContent();
      expect(notice).toContain('Not available in this browser.');
      expect(notice).toContain('--config');
      expect(await page.locator('#send').isDisabled()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
