// Row 10: what a web app ships. Each entry is bundled from the built dist of the packages the way an app's bundler
// would (esbuild, platform browser, ES2022, minified) and gzipped; the share of each dependency comes from esbuild's
// metafile. Sizes are deterministic, so one round is enough whatever --rounds says. A page gets @switchyard/core's
// browser build, whose PII detector checks phone numbers against numbering-plan patterns instead of libphonenumber's
// `max` metadata: the row also scores both builds' detectors (recall per kind, false positives) so the trade is seen.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
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

/** Bundles one entry for browsers; resolves with its minified and gzipped size and the bytes per package. */
export async function measureBundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
  });
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
  return { minified: output.length, gzip, packages: shares };
}

export async function run({ log }) {
  const result = { esbuild: require('esbuild/package.json').version };
  for (const [name, contents] of Object.entries(bundleEntries)) {
    try {
      const size = await measureBundle(contents);
      result[name] = { gzipKB: size.gzip / 1024, minifiedKB: size.minified / 1024, packages: size.packages };
      const zod = size.packages.zod;
      log(
        `bundle ${name}: ${(size.gzip / 1024).toFixed(1)} KB gzip (${(size.minified / 1024).toFixed(1)} KB min)` +
          (zod ? `, of which zod ≈${(zod.gzipEstimate / 1024).toFixed(1)} KB gzip` : ''),
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
  for (const coreBuild of ['node', 'browser']) {
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
        `${counts.browser} (only browser ${counts.browserOnly}, only node ${counts.nodeOnly})`,
    );
  }
  return result;
}
