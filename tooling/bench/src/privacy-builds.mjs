// The on-device PII detector of each build of @switchyard/core (Node: libphonenumber-js `max` metadata; browser:
// numbering-plan lengths), scored the way `switchyard eval-privacy` scores it: recall per kind and false positives on
// the server's shipped corpus (region US unless a sample names one), and prompts flagged in a routing-quality file.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const coreBuilds = {
  node: join(root, 'packages/core/dist/pii/index.js'),
  browser: join(root, 'packages/core/dist/browser/pii/index.js'),
};

/**
 * A build's detector factory. The browser build loads its phone numbering plans on demand: `browser` waits for them
 * (the check a page's requests are planned with); `provisional` is a fresh instance of the browser build (its own
 * module state: a copy of its files, since its chunks share state through their URLs) whose plans have not loaded,
 * for as long as the caller scores synchronously: the check a detector answers with while a page is still loading
 * them (and `router.plan()`, once the router's detector has loaded and the plans have not).
 */
export async function detectorFactory(build) {
  if (build === 'provisional') {
    // A new copy per call: an earlier one has loaded its plans by now.
    // Beside the build, so its imports of other packages resolve as the build's own do; removed when the process ends.
    const build = join(dirname(coreBuilds.browser), '..');
    const copy = mkdtempSync(join(build, '..', 'provisional-'));
    cpSync(build, copy, { recursive: true });
    process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
    return (await import(pathToFileURL(join(copy, 'pii', 'index.js')).href)).createPiiDetector;
  }
  const { createPiiDetector } = await import(pathToFileURL(coreBuilds[build]).href);
  await createPiiDetector({ kinds: ['phone-number'] }).ready;
  return createPiiDetector;
}
const corpusPath = join(root, 'packages/server/data/privacy-corpus.jsonl');
export const routingDataPath = join(root, '..', '..', 'shared/data/routing-quality/train.jsonl');

const readLines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

/** Scores one build; `dataPath` is optional (absent: no routing-quality false-positive count). */
export async function scorePrivacyBuild(build, dataPath = routingDataPath) {
  const { piiKinds } = await import(pathToFileURL(coreBuilds.node).href);
  const createPiiDetector = await detectorFactory(build);
  // From here on synchronous (no await): a provisional build's plans cannot load meanwhile.
  const detectors = new Map();
  const detect = (region, text) => {
    if (!detectors.has(region)) detectors.set(region, createPiiDetector({ regions: [region] }));
    return detectors.get(region)(text).kinds;
  };
  const kinds = Object.fromEntries(piiKinds.map((kind) => [kind, { samples: 0, found: 0 }]));
  let clean = 0;
  let flaggedClean = 0;
  const missed = [];
  for (const [index, sample] of readLines(corpusPath).entries()) {
    const found = detect(sample.region ?? 'US', sample.text);
    if (sample.kinds.length === 0) {
      clean += 1;
      if (found.length > 0) flaggedClean += 1;
    }
    for (const kind of sample.kinds) {
      kinds[kind].samples += 1;
      if (found.includes(kind)) kinds[kind].found += 1;
      else missed.push({ line: index + 1, kind });
    }
  }
  const result = {
    recall: Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, k.samples ? k.found / k.samples : 1])),
    missed,
    clean: { samples: clean, flagged: flaggedClean },
  };
  if (dataPath && existsSync(dataPath)) {
    const byKind = {};
    let flagged = 0;
    const rows = readLines(dataPath);
    for (const row of rows) {
      const found = detect('US', row.prompt);
      if (found.length > 0) flagged += 1;
      for (const kind of found) byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    result.data = { prompts: rows.length, flagged, kinds: byKind };
  }
  return result;
}

/**
 * The browser build's phone answers against the Node build's (libphonenumber-js `max`) on a fixed pseudo-random sample
 * of digit runs in the layouts the recognizer reads, detector against detector (`kinds: ['phone-number']`): `+` and
 * every calling code (a US page); a bare run with or without a trunk `0` in a page that names the region (each
 * region: the detector's fallback regions and the others apart); a trunk-prefixed run and a North American grouping in
 * a US page (the fallback regions' national layouts). Per set: how many each build flags, and how many only the
 * browser build flags (`browserOnly`: it accepts more) or only the Node one (`nodeOnly`: recall lost; expected 0).
 * Also the browser build's provisional check, before its plans load: how many it flags, how many of those the loaded
 * check does not (`provisionalOnly`: what loading costs in false positives) and the reverse (`provisionalMissed`:
 * recall lost while loading; expected 0).
 */
export async function scorePhoneAgreement() {
  const builds = {
    node: await detectorFactory('node'),
    browser: await detectorFactory('browser'),
    provisional: await detectorFactory('provisional'),
  };
  // Where national layouts are tried in every page: core's own list (its phone-plan generator exports it; a core
  // test keeps it equal to contact-recognizers.ts's fallbackPhoneRegions).
  const generator = join(root, 'packages/core/scripts/phone-numbering-plans.mjs');
  const fallbackPhoneRegions = new Set((await import(pathToFileURL(generator).href)).fallbackRegions);
  // The calling codes and regions come from core's own dependency (the bench does not depend on libphonenumber-js).
  const metadata = createRequire(join(root, 'packages/core/package.json'))('libphonenumber-js/metadata.max.json');
  // From here on synchronous (no await): the provisional build's plans cannot load meanwhile.
  let seed = 7;
  const digit = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return String(Math.floor(seed / 65536) % 10);
  };
  const digits = (length) => Array.from({ length }, digit).join('');
  const detectors = new Map();
  const flags = (build, region, text) => {
    const key = `${build} ${region}`;
    if (!detectors.has(key)) detectors.set(key, builds[build]({ regions: [region], kinds: ['phone-number'] }));
    return detectors.get(key)(text).kinds.length > 0;
  };
  const sets = {};
  const check = (set, region, number) => {
    const text = `ref ${number} ok`;
    sets[set] ??= {
      samples: 0,
      node: 0,
      browser: 0,
      browserOnly: 0,
      nodeOnly: 0,
      provisional: 0,
      provisionalOnly: 0,
      provisionalMissed: 0,
    };
    const counts = sets[set];
    const node = flags('node', region, text);
    const browser = flags('browser', region, text);
    const provisional = flags('provisional', region, text);
    counts.samples += 1;
    counts.node += node ? 1 : 0;
    counts.browser += browser ? 1 : 0;
    counts.browserOnly += browser && !node ? 1 : 0;
    counts.nodeOnly += node && !browser ? 1 : 0;
    counts.provisional += provisional ? 1 : 0;
    counts.provisionalOnly += provisional && !browser ? 1 : 0;
    counts.provisionalMissed += browser && !provisional ? 1 : 0;
  };
  for (const code of Object.keys(metadata.country_calling_codes)) {
    for (let index = 0; index < 60; index += 1) check('international', 'US', `+${code} ${digits(5 + (index % 9))}`);
  }
  for (const region of Object.keys(metadata.countries)) {
    for (let index = 0; index < 40; index += 1) {
      const number = `${index % 2 ? '0' : ''}${digits(7 + (index % 6))}`;
      check(fallbackPhoneRegions.has(region) ? 'namedFallbackRegion' : 'namedOtherRegion', region, number);
    }
  }
  for (let index = 0; index < 4000; index += 1) check('trunkPrefixUsPage', 'US', `0${digits(6 + (index % 7))}`);
  for (let index = 0; index < 3000; index += 1) {
    check('northAmericanUsPage', 'US', `(${digits(3)}) ${digits(3)}-${digits(4)}`);
  }
  return sets;
}
