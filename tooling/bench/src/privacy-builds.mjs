// The on-device PII detector of each build of @switchyard/core (Node: libphonenumber-js `max` metadata; browser:
// numbering-plan lengths), scored the way `switchyard eval-privacy` scores it: recall per kind and false positives on
// the server's shipped corpus (region US unless a sample names one), and prompts flagged in a routing-quality file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const coreBuilds = {
  node: join(root, 'packages/core/dist/index.js'),
  browser: join(root, 'packages/core/dist/browser/index.js'),
};
const corpusPath = join(root, 'packages/server/data/privacy-corpus.jsonl');
export const routingDataPath = join(root, '..', '..', 'shared/data/routing-quality/train.jsonl');

const readLines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

/** Scores one build; `dataPath` is optional (absent: no routing-quality false-positive count). */
export async function scorePrivacyBuild(build, dataPath = routingDataPath) {
  const { createPiiDetector, piiKinds } = await import(pathToFileURL(coreBuilds[build]).href);
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
