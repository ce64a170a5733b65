import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile, Plugin } from 'esbuild';
import { build } from 'esbuild';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** The repository root, from `tooling/testkit/src` or `tooling/testkit/dist`. */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A file the test page server answers with. */
export type PageFile = string | Uint8Array | { path: string; contentType?: string };

/** Options of {@link openBrowserPage}. */
export interface BrowserPageOptions {
  /** Entry files (TypeScript or JavaScript) bundled as ES modules, keyed by the URL path they are served at. */
  scripts?: Record<string, string>;
  /** Extra files keyed by URL path: text, bytes, or a file on disk. */
  files?: Record<string, PageFile>;
  /** The page's `<body>`; it loads every entry of `scripts` as a module after this. Default empty. */
  body?: string;
  /** Sends COOP/COEP headers, so the page is cross-origin isolated (SharedArrayBuffer, wasm threads). */
  crossOriginIsolated?: boolean;
  /** Answers a request before the static files; return true when it did. Used for CORS probes and fake APIs. */
  handle?: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;
  /**
   * Bundles `scripts` with code splitting, as an app's bundler emits them: each dynamic `import()` becomes a chunk the
   * page fetches when it runs (served beside the entries; `handle` sees those requests first, so a test can fail or
   * hold one). Default false: one file per entry.
   */
  splitting?: boolean;
  /**
   * Chromium flags added to {@link chromiumArgs}, e.g. `--host-resolver-rules=MAP attacker.example 127.0.0.1` to
   * point a name at loopback as a DNS-rebinding attacker would.
   */
  extraChromiumArgs?: readonly string[];
}

/** A headless Chromium page on a loopback server; `close()` stops both. */
export interface BrowserPage {
  page: Page;
  context: BrowserContext;
  /** `http://127.0.0.1:<port>/`, the page's origin. */
  url: string;
  /** A CDP session on the page (for network and pressure emulation). */
  cdp(): Promise<CDPSession>;
  close(): Promise<void>;
}

/** The flags Debian's Chromium needs to run headless here (see NOTES.md). */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where Chromium is: `CHROMIUM_PATH`, or Debian's `/usr/bin/chromium` (`.ci/run` installs it). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The source of a package's `browser` export condition, if it has one: `./dist/browser.js` -> `src/browser.ts`,
 * `./dist/browser/index.js` -> `src/browser/index.ts`, or, for a browser build into `dist/browser/` that mirrors
 * `src/` (adapter-utils' one file per module), `./dist/browser/browser.js` -> `src/browser.ts`.
 */
function browserSourceOf(packageDir: string): string | undefined {
  const manifest = join(packageDir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports;
  const root = exports?.['.'] as { browser?: { import?: string } } | undefined;
  const built = root?.browser?.import;
  if (built === undefined) return undefined;
  const source = built.replace(/\.js$/, '.ts');
  for (const candidate of [source.replace(/^\.\/dist\//, 'src/'), source.replace(/^\.\/dist\/browser\//, 'src/')]) {
    const file = join(packageDir, candidate);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Resolves `@switchyard/<name>` and `@switchyard/<name>/<entry>` to the workspace sources, as the vitest config does. */
const workspaceSources: Plugin = {
  name: 'switchyard-workspace-sources',
  setup(builder) {
    builder.onResolve({ filter: /^@switchyard\/[\w-]+(\/[\w-]+)?$/ }, (args) => {
      const [, name, entry] = /^@switchyard\/([\w-]+)(?:\/([\w-]+))?$/.exec(args.path) ?? [];
      // A package with a `browser` export condition is bundled from that entry's source, as a bundler would pick it.
      const browserEntry = entry === undefined ? browserSourceOf(join(repoRoot, 'packages', name ?? '')) : undefined;
      if (browserEntry) return { path: browserEntry };
      for (const group of ['packages', 'tooling']) {
        const file = join(repoRoot, group, name ?? '', 'src', entry ?? '', 'index.ts');
        if (existsSync(file)) return { path: file };
      }
      return undefined;
    });
    // A workspace module with a `<name>.browser.ts` beside it is replaced by that file in browser builds, as the
    // package's own browser build does (core's phone check: see packages/core/tsup.config.ts).
    builder.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      if (!args.importer.startsWith(join(repoRoot, 'packages'))) return undefined;
      const browserFile = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(browserFile) ? { path: browserFile } : undefined;
    });
  },
};

/** Options of {@link buildForBrowser}. */
export interface BrowserBuildOptions {
  /** Minify, as an app's production build would (for size measurements). Default false. */
  minify?: boolean;
  /** Imports left out of the bundle and recorded in the metafile (e.g. `node:*`, to assert there are none). */
  external?: string[];
}

/**
 * Bundles one entry for the browser (ES module, ES2022, esbuild `platform: 'browser'`), the workspace packages from
 * their sources (a package's `browser` export condition when it has one), and returns the code with esbuild's
 * metafile: what went in, and which imports were left external.
 */
export async function buildForBrowser(
  entry: string,
  options: BrowserBuildOptions = {},
): Promise<{ text: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    metafile: true,
    minify: options.minify ?? false,
    external: options.external ?? [],
    plugins: [workspaceSources],
  });
  return { text: result.outputFiles[0]?.text ?? '', metafile: result.metafile };
}

/**
 * Bundles entries keyed by URL path (`/app.js`) with code splitting into one directory: the entries and their chunks,
 * each keyed by the path it is served at.
 */
async function splitForBrowser(scripts: Record<string, string>): Promise<Map<string, string>> {
  const outdir = join(repoRoot, '.page-chunks');
  const entryPoints = Object.fromEntries(
    Object.entries(scripts).map(([path, entry]) => [path.replace(/^\//, '').replace(/\.js$/, ''), entry]),
  );
  const result = await build({
    entryPoints,
    bundle: true,
    splitting: true,
    write: false,
    outdir,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  return new Map(result.outputFiles.map((file) => [`/${file.path.slice(outdir.length + 1)}`, file.text]));
}

/** Bundles one entry for the browser (ES module, ES2022), the workspace packages from their sources. */
export async function bundleForBrowser(entry: string): Promise<string> {
  return (await buildForBrowser(entry)).text;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

/**
 * Serves a test page on 127.0.0.1 and opens it in headless Chromium (playwright-core). Scripts are bundled from the
 * workspace sources, so tests need no prior build.
 *
 * @example
 * ```ts
 * const browser = await openBrowserPage({ scripts: { '/app.js': fileURLToPath(new URL('./page.ts', import.meta.url)) } });
 * await browser.page.evaluate(() => window.ready);
 * await browser.close();
 * ```
 */
export async function openBrowserPage(options: BrowserPageOptions = {}): Promise<BrowserPage> {
  const bundles = new Map<string, string>();
  const scripts = options.scripts ?? {};
  if (options.splitting) for (const [path, text] of await splitForBrowser(scripts)) bundles.set(path, text);
  else for (const [path, entry] of Object.entries(scripts)) bundles.set(path, await bundleForBrowser(entry));
  const tags = Object.keys(scripts)
    .map((path) => `<script type="module" src="${path}"></script>`)
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>test</title></head><body>${options.body ?? ''}\n${tags}</body></html>`;

  const server: Server = createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  async function serve(request: IncomingMessage, response: ServerResponse) {
    if (options.crossOriginIsolated) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (options.handle && (await options.handle(request, response))) return;
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    let body: string | Uint8Array | undefined;
    let type = contentTypes[extname(path)] ?? 'application/octet-stream';
    if (path === '/' || path === '/index.html') {
      body = html;
      type = contentTypes['.html']!;
    } else if (bundles.has(path)) {
      body = bundles.get(path);
    } else {
      const file = options.files?.[path];
      if (typeof file === 'string' || file instanceof Uint8Array) body = file;
      else if (file) {
        body = await readFile(file.path);
        type = file.contentType ?? type;
      }
    }
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    response.writeHead(200, { 'content-type': type, 'content-length': bytes.byteLength, 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...chromiumArgs, ...(options.extraChromiumArgs ?? [])],
    });
  } catch (error) {
    server.close();
    throw error;
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return {
    page,
    context,
    url,
    cdp: () => context.newCDPSession(page),
    async close() {
      await browser.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
