// Row 10: what a web app ships. Each entry is bundled from the built dist of the packages the way an app's bundler
// would (esbuild, platform browser, ES2022, minified) and gzipped; the share of each dependency comes from esbuild's
// metafile. Sizes are deterministic, so one round is enough whatever --rounds says. A page gets @switchyard/core's
// browser build, whose PII detector checks phone numbers against numbering-plan patterns instead of libphonenumber's
// `max` metadata: the row also scores both builds' detectors (recall per kind, false positives) so the trade is seen.
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
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
