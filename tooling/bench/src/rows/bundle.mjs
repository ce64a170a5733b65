// Row 10: what a web app ships. Each entry is bundled from the built dist of the packages the way an app's bundler
// would (esbuild, platform browser, ES2022, minified) and gzipped; the share of each dependency comes from esbuild's
// metafile. Sizes are deterministic, so one round is enough whatever --rounds says. A page gets @switchyard/core's
// browser build, whose PII detector checks phone numbers against numbering-plan patterns instead of libphonenumber's
// `max` metadata: the row also scores both builds' detectors (recall per kind, false positives) so the trade is seen.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { scorePhoneAgreement, scorePrivacyBuild } from '../privacy-builds.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const bundleEntries = {
  router: `export { createRouter } from '@switchyard/core';`,
  routerOpenai: `export { createRouter } from '@switchyard/core'; export { createOpenAITarget } from '@switchyard/adapter-openai';`,
  signalsBrowser: `export { createBrowserSignals } from '@switchyard/signals-browser';`,
};

/** The package a bundled input file belongs to (`zod`, `@switchyard/core`, …). */
function packageOf(file) {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (match) return match[1];
  const workspace = /(?:packages|tooling)\/([^/]+)\//.exec(file);
  return workspace ? `@switchyard/${workspace[1]}` : file;
}

const browserBuild = {
  bundle: true,
  minify: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  metafile: true,
  logLevel: 'silent',
};

/**
 * The same entry with code splitting, as an app's bundler emits it: the chunks a page loads first (the entry and what
 * it imports statically) and the ones it loads on demand (dynamic `import()`, such as core's request-trace code, which
 * a page without OpenTelemetry never fetches). Each chunk gzipped on its own.
 */
async function measureChunks(contents) {
  const result = await build({
    ...browserBuild,
    stdin: { contents, resolveDir: here, loader: 'js' },
    splitting: true,
    outdir: 'chunks',
    absWorkingDir: here,
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint !== undefined);
  const firstLoad = new Set();
  const visit = (file) => {
    if (firstLoad.has(file)) return;
    firstLoad.add(file);
    for (const imported of outputs[file].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  const chunks = result.outputFiles
    .map((file) => {
      const name = relative(here, file.path);
      return {
        name,
        minified: file.contents.length,
        gzip: gzipSync(file.contents, { level: 9 }).length,
        loaded: firstLoad.has(name) ? 'first' : 'on demand',
        // The packages whose code is in this chunk (esbuild's metafile).
        packages: [
          ...new Set(
            Object.entries(outputs[name]?.inputs ?? {})
              .filter(([, input]) => input.bytesInOutput > 0)
              .map(([file]) => packageOf(file)),
          ),
        ].sort(),
      };
    })
    .filter((chunk) => chunk.name.endsWith('.js'));
  const sum = (loaded) =>
    chunks.filter((chunk) => loaded === undefined || chunk.loaded === loaded).reduce((total, c) => total + c.gzip, 0);
  return { firstLoadGzip: sum('first'), splitGzip: sum(undefined), chunks };
}

/**
 * The on-demand chunks a routing page fetches before its first answer, by the module that starts each (esbuild names a
 * chunk after it; Vite's manifest gives it as `src`): creating a router whose policy scans prompts starts the
 * personal-data detector and the execution code, creating the OpenAI target its call path; the phone numbering plans
 * are fetched only for a prompt holding a number only they can decide (core's browser build; none of a page whose
 * prompts hold no phone-like number).
 */
const startedByRouting = [/detector-for-policy/, /execute-plan/, /fetch-call-path/];
const startedByAPhoneNumber = /parse-phone-number/;

/**
 * What a page that routes `createRouter` + `createOpenAITarget` fetches before its first answer, gzip bytes: the first
 * load and the chunks in {@link startedByRouting}, for a prompt without a phone-like number and for one with a number
 * only the phone numbering plans can decide (+ their chunk). Throws when a chunk is not found once, so the figure
 * never leaves one out silently.
 */
export function routingPageFetches(chunks) {
  const chunkOf = (module) => {
    const found = chunks.filter((chunk) => chunk.loaded === 'on demand' && module.test(chunk.src ?? chunk.name));
    if (found.length !== 1) throw new Error(`expected one on-demand chunk for ${module}, found ${found.length}`);
    return found[0].gzip;
  };
  const firstLoad = chunks.filter((chunk) => chunk.loaded === 'first').reduce((total, chunk) => total + chunk.gzip, 0);
  const withoutPhone = startedByRouting.reduce((total, module) => total + chunkOf(module), firstLoad);
  return { firstLoad, withoutPhone, withPhone: withoutPhone + chunkOf(startedByAPhoneNumber) };
}

/**
 * Bundles one entry for browsers; resolves with its minified and gzipped size as one file (all the code, as the row
 * has always measured it), the bytes per package, and the split build's first load and chunks.
 */
export async function measureBundle(contents) {
  const result = await build({ ...browserBuild, stdin: { contents, resolveDir: here, loader: 'js' } });
  const output = result.outputFiles[0].contents;
  const gzip = gzipSync(output, { level: 9 }).length;
  const packages = {};
  for (const [file, input] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const name = packageOf(file);
    packages[name] = (packages[name] ?? 0) + input.bytesInOutput;
  }
  // A package's gzip share is estimated as its share of the minified bytes (gzip works across module boundaries).
  const shares = Object.fromEntries(
    Object.entries(packages)
      .filter(([, bytes]) => bytes > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([name, bytes]) => [name, { minified: bytes, gzipEstimate: Math.round((gzip * bytes) / output.length) }]),
  );
  return { minified: output.length, gzip, packages: shares, ...(await measureChunks(contents)) };
}

/**
 * The same entry built as most web apps are: `vite build` (an app build, not a library build; Vite's defaults: its
 * minifier, its preload helper for dynamic imports, `assets/[name]-[hash].js`), target ES2022, written to `outDir`. The
 * entry module is served by a plugin from this directory, so its imports resolve from the bench package as the esbuild
 * part's do, through the packages' `browser` export condition. Its exports are kept (`preserveEntrySignatures`), as
 * esbuild keeps an entry's exports; an app build would otherwise drop them, and the code with them.
 */
async function viteBuildOf(contents, outDir, output = {}) {
  const entryId = join(here, 'vite-row-entry.js');
  const result = await viteBuild({
    root: here,
    configFile: false,
    envFile: false,
    publicDir: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'bench-row-entry',
        resolveId: (id) => (id === entryId ? entryId : undefined),
        load: (id) => (id === entryId ? contents : undefined),
      },
    ],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      manifest: true,
      reportCompressedSize: false,
      rolldownOptions: { input: { entry: entryId }, preserveEntrySignatures: 'strict', output },
    },
  });
  return { entryKey: relative(here, entryId), output: (Array.isArray(result) ? result[0] : result).output };
}

/**
 * The entry built with Vite into `outDir` (a new temporary directory when not given, removed after): the first load
 * (the entry chunk and what it imports statically, from Vite's manifest: `imports`) and the on-demand chunks (reached
 * only through `dynamicImports`), each gzipped on its own at level 9 as the esbuild part's; each chunk with the module
 * that starts it (`src` in the manifest, for a dynamically imported chunk), its packages and its modules (repository
 * paths). Also the whole app as one file (`codeSplitting: false`), as the esbuild part's one-file figure.
 */
export async function measureViteBundle(contents, { outDir } = {}) {
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'switchyard-vite-row-')));
  try {
    const single = await viteBuildOf(contents, dir, { codeSplitting: false });
    const singleChunks = single.output.filter((file) => file.type === 'chunk');
    if (singleChunks.length !== 1) throw new Error(`vite build without splitting wrote ${singleChunks.length} chunks`);
    const oneFile = Buffer.from(singleChunks[0].code);
    const { entryKey, output } = await viteBuildOf(contents, dir);
    const manifest = JSON.parse(await readFile(join(dir, '.vite', 'manifest.json'), 'utf8'));
    const firstLoad = new Set();
    const visit = (key) => {
      if (firstLoad.has(key)) return;
      firstLoad.add(key);
      for (const imported of manifest[key].imports ?? []) visit(imported);
    };
    visit(entryKey);
    const repoRoot = join(here, '..', '..', '..', '..');
    const chunks = Object.entries(manifest).map(([key, record]) => {
      const built = output.find((file) => file.type === 'chunk' && file.fileName === record.file);
      const code = Buffer.from(built?.code ?? '');
      // Vite's own runtime (its preload helper for dynamic imports) is a virtual module: `\0vite/…`.
      const modules = Object.entries(built?.modules ?? {})
        .filter(([, module]) => module.renderedLength > 0)
        .map(([id]) => (id.startsWith('\0') ? id.slice(1) : relative(repoRoot, id)));
      return {
        name: record.file,
        minified: code.length,
        gzip: gzipSync(code, { level: 9 }).length,
        loaded: firstLoad.has(key) ? 'first' : 'on demand',
        ...(record.src === undefined || record.isEntry ? {} : { src: relative(repoRoot, join(here, record.src)) }),
        packages: [...new Set(modules.map((file) => (file.startsWith('vite/') ? 'vite' : packageOf(file))))].sort(),
        modules,
      };
    });
    const sum = (loaded) =>
      chunks.filter((chunk) => loaded === undefined || chunk.loaded === loaded).reduce((total, c) => total + c.gzip, 0);
    return {
      vite: require('vite/package.json').version,
      outDir: dir,
      entry: manifest[entryKey].file,
      minified: oneFile.length,
      gzip: gzipSync(oneFile, { level: 9 }).length,
      firstLoadGzip: sum('first'),
      splitGzip: sum(undefined),
      chunks,
    };
  } finally {
    if (outDir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

export async function run({ log }) {
  const result = { esbuild: require('esbuild/package.json').version };
  for (const [name, contents] of Object.entries(bundleEntries)) {
    try {
      const size = await measureBundle(contents);
      result[name] = {
        gzipKB: size.gzip / 1024,
        minifiedKB: size.minified / 1024,
        firstLoadGzipKB: size.firstLoadGzip / 1024,
        splitGzipKB: size.splitGzip / 1024,
        chunks: size.chunks,
        packages: size.packages,
      };
      const zod = size.packages.zod;
      const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
      log(
        `bundle ${name}: ${kb(size.gzip)} gzip (${kb(size.minified)} min)` +
          (zod ? `, of which zod ≈${kb(zod.gzipEstimate)} gzip` : '') +
          `; split: first load ${kb(size.firstLoadGzip)} gzip, all chunks ${kb(size.splitGzip)} (` +
          size.chunks.map((chunk) => `${chunk.name} ${kb(chunk.gzip)} ${chunk.loaded}`).join(', ') +
          ')',
      );
      if (zod) result[name].zodGzipKB = zod.gzipEstimate / 1024;
      if (name === 'routerOpenai') {
        const fetches = routingPageFetches(size.chunks);
        result[name].beforeFirstAnswerGzipKB = {
          withoutPhoneNumber: fetches.withoutPhone / 1024,
          withPhoneNumber: fetches.withPhone / 1024,
        };
        log(
          `bundle ${name}: a routing page fetches before its first answer ${kb(fetches.withoutPhone)} gzip for a ` +
            `prompt without a phone-like number, ${kb(fetches.withPhone)} with one (first load ${kb(fetches.firstLoad)})`,
        );
        // The same entry through Vite (Rolldown in Vite 8), beside esbuild's figures; no target of its own.
        const vite = await measureViteBundle(contents).catch((error) => ({ error: String(error.message) }));
        if (vite.error) {
          result[name].vite = { error: vite.error };
          log(`bundle ${name}, vite: not built: ${vite.error}`);
          continue;
        }
        const viteFetches = routingPageFetches(vite.chunks);
        result[name].vite = {
          version: vite.vite,
          gzipKB: vite.gzip / 1024,
          minifiedKB: vite.minified / 1024,
          firstLoadGzipKB: vite.firstLoadGzip / 1024,
          splitGzipKB: vite.splitGzip / 1024,
          beforeFirstAnswerGzipKB: {
            withoutPhoneNumber: viteFetches.withoutPhone / 1024,
            withPhoneNumber: viteFetches.withPhone / 1024,
          },
          chunks: vite.chunks.map(({ modules, ...chunk }) => chunk),
        };
        log(
          `bundle ${name}, vite ${vite.vite}: ${kb(vite.gzip)} gzip (${kb(vite.minified)} min); split: first load ` +
            `${kb(vite.firstLoadGzip)} gzip, all chunks ${kb(vite.splitGzip)} (` +
            vite.chunks.map((chunk) => `${chunk.name} ${kb(chunk.gzip)} ${chunk.loaded}`).join(', ') +
            `); before the first answer ${kb(viteFetches.withoutPhone)} without a phone-like number, ` +
            `${kb(viteFetches.withPhone)} with one`,
        );
      }
    } catch (error) {
      // Not browser-ready (e.g. a node: built-in in the graph): reported, not a crash of the whole row.
      const first = error.errors?.[0];
      result[name] = { error: first ? `${first.text} (${first.location?.file ?? ''})` : String(error.message) };
      log(`bundle ${name}: not bundleable for browsers: ${result[name].error}`);
    }
  }
  result.privacy = {};
  // `provisional`: the browser build before its phone numbering plans have loaded (see privacy-builds.mjs).
  for (const coreBuild of ['node', 'browser', 'provisional']) {
    const score = await scorePrivacyBuild(coreBuild);
    result.privacy[coreBuild] = score;
    const lowest = Math.min(...Object.values(score.recall));
    log(
      `PII detector, ${coreBuild} build of core: lowest recall per kind ${lowest.toFixed(2)}, clean prompts flagged ` +
        `${score.clean.flagged}/${score.clean.samples}` +
        (score.data ? `, routing-quality prompts flagged ${score.data.flagged}/${score.data.prompts}` : ''),
    );
  }
  result.phoneAgreement = await scorePhoneAgreement();
  for (const [set, counts] of Object.entries(result.phoneAgreement)) {
    log(
      `phone answers, ${set}: ${counts.samples} sampled numbers, node build flags ${counts.node}, browser build ` +
        `${counts.browser} (only browser ${counts.browserOnly}, only node ${counts.nodeOnly}); provisional check ` +
        `${counts.provisional} (not flagged once loaded ${counts.provisionalOnly}, missed ${counts.provisionalMissed})`,
    );
  }
  return result;
}
