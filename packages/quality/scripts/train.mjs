#!/usr/bin/env node
// Rebuilds the shipped difficulty weights (src/weights.json) from RouteLLM's labelled GSM8K/MMLU data.
//
//   pnpm --filter @switchyard/quality train            (build, train, rebuild)
//   node scripts/train.mjs --data <train.jsonl>        (after a build: it imports the package's dist/)
//
// 1. Reads the JSONL (validated with zod; bad lines are reported by line number and field).
// 2. Splits it into 5 folds, stratified by MMLU subject / benchmark, keeping duplicate prompt texts together.
// 3. Cross-validates each candidate in CANDIDATES (train on 4 folds, score the 5th with the real int8 scorer) and
//    picks the one with the best mean savings vs random over the held-out folds. Nothing else is ever used to choose.
// 4. Trains the chosen candidate on all records and writes src/weights.json, assets/curve.svg (pooled held-out
//    scores) and assets/cv-report.json (every candidate's figures).
// Deterministic: same data + same seed → byte-identical outputs. About a minute on one core.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(packageDir, '../../../shared/data/routing-quality/train.jsonl') },
    out: { type: 'string', default: join(packageDir, 'src/weights.json') },
    assets: { type: 'string', default: join(packageDir, 'assets') },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '20240810' },
  },
});
const seed = Number(values.seed);
const folds = Number(values.folds);

const { readRoutingRecords, renderCurveSvg } = await import('../dist/index.js');
const { crossValidate, extractAll, foldsForRecords, trainDifficultyWeights } = await import(
  '../dist/training/index.js'
);

const words = { hashBits: 16, wordBigrams: true, charNgram: 0 };
const optimiser = { epochs: 6, learningRate: 0.02, l2: 1e-5 };
// The candidates compared under cross-validation. Kept small on purpose: every extra candidate is one more chance
// to pick a lucky one, which would make the reported figures optimistic.
const CANDIDATES = [
  { name: 'weak-fails', target: 'weak-fails', subjectSmoothing: 0, features: words, ...optimiser },
  { name: 'help', target: 'help', subjectSmoothing: 0, features: words, ...optimiser },
  { name: 'gain', target: 'gain', subjectSmoothing: 0, features: words, ...optimiser },
  { name: 'gain+subject0.4', target: 'gain', subjectSmoothing: 0.4, features: words, ...optimiser },
  { name: 'gain+subject0.7', target: 'gain', subjectSmoothing: 0.7, features: words, ...optimiser },
  {
    name: 'gain+subject0.7+char4',
    target: 'gain',
    subjectSmoothing: 0.7,
    features: { ...words, charNgram: 4 },
    ...optimiser,
  },
];

const started = Date.now();
const records = await readRoutingRecords(values.data);
const foldOf = foldsForRecords(records, folds, seed);
console.log(`${records.length} records from ${values.data}; ${folds} folds, seed ${seed}`);

const vectorCache = new Map();
const vectorsFor = (features) => {
  const key = JSON.stringify(features);
  if (!vectorCache.has(key))
    vectorCache.set(
      key,
      extractAll(
        records.map((record) => record.prompt),
        features,
      ),
    );
  return vectorCache.get(key);
};

const percent = (value) => `${(value * 100).toFixed(1)}%`;
const results = [];
for (const config of CANDIDATES) {
  const result = crossValidate({ records, config, foldOf, seed, vectors: vectorsFor(config.features) });
  results.push(result);
  console.log(
    `${config.name.padEnd(24)} held-out folds: strong share ${percent(result.meanStrongShareAt95)}, savings vs random ` +
      `${percent(result.meanSavingsVsRandom)} ± ${percent(result.sdSavingsVsRandom)} ` +
      `[${result.folds.map((fold) => percent(fold.savingsVsRandom)).join(' ')}]; pooled ${percent(result.pooled.savingsVsRandom)}`,
  );
}
const best = results.reduce((a, b) => (b.meanSavingsVsRandom > a.meanSavingsVsRandom ? b : a));
console.log(`selected: ${best.config.name}`);

const summary = (result) => ({
  name: result.config.name,
  config: result.config,
  meanStrongShareAt95: result.meanStrongShareAt95,
  meanSavingsVsRandom: result.meanSavingsVsRandom,
  sdSavingsVsRandom: result.sdSavingsVsRandom,
  folds: result.folds.map(({ curve: _curve, ...fold }) => fold),
  pooled: (({ curve: _curve, ...pooled }) => pooled)(result.pooled),
});

const weights = trainDifficultyWeights({
  records,
  config: best.config,
  seed,
  vectors: vectorsFor(best.config.features),
  metadata: {
    data: 'lm-sys/RouteLLM evaluation data (GSM8K + MMLU; weak = Mixtral-8x7B-Instruct, strong = GPT-4-1106-preview), train split',
    script: 'packages/quality/scripts/train.mjs',
    folds,
    crossValidation: (({ config: _config, ...rest }) => rest)(summary(best)),
  },
});
const json = `${JSON.stringify(weights)}\n`;
await writeFile(values.out, json);
await mkdir(values.assets, { recursive: true });
await writeFile(
  join(values.assets, 'curve.svg'),
  renderCurveSvg(best.pooled, {
    title: `Difficulty router (${best.config.name}): ${folds}-fold CV, held-out scores`,
  }),
);
await writeFile(
  join(values.assets, 'cv-report.json'),
  `${JSON.stringify({ seed, folds, records: records.length, selected: best.config.name, candidates: results.map(summary) }, null, 2)}\n`,
);
console.log(
  `wrote ${relative(process.cwd(), values.out)} (${(json.length / 1024).toFixed(0)} KB), assets/curve.svg, assets/cv-report.json in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
