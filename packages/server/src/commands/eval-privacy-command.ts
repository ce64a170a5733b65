import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PiiDetector, PiiKind } from '@switchyard/core';
import { createPiiDetector, piiKinds } from '@switchyard/core/pii';
import type { CliIO } from '../cli-io.js';
import { CliError, exitCodes } from '../cli-io.js';

/** Options of `eval-privacy`, as parsed from the command line. */
export interface EvalPrivacyOptions {
  /** A labelled corpus (JSON Lines: `text`, `kinds`, optional `region`); default the one shipped with the server. */
  corpus?: string;
  /** A routing-quality JSONL file whose `prompt`s are all clean (false-positive rate only). */
  data?: string;
  /** Region for samples that name none (default `US`). */
  region?: string;
  minConfidence?: number;
  json?: boolean;
}

interface LabelledSample {
  line: number;
  text: string;
  kinds: PiiKind[];
  region: string | undefined;
}

// dist/cli.js and src/commands/*.ts sit at different depths below the package root.
const shippedCorpus = ['../data/privacy-corpus.jsonl', '../../data/privacy-corpus.jsonl']
  .map((path) => fileURLToPath(new URL(path, import.meta.url)))
  .find((path) => existsSync(path));

async function readJsonLines(path: string, what: string): Promise<{ line: number; value: unknown }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : (code ?? error);
    throw new CliError(`eval-privacy: cannot read ${what} ${path}: ${reason}`);
  }
  const rows: { line: number; value: unknown }[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    try {
      rows.push({ line: index + 1, value: JSON.parse(line) });
    } catch {
      throw new CliError(`eval-privacy: ${path} line ${index + 1}: not valid JSON`);
    }
  }
  return rows;
}

async function readCorpus(path: string): Promise<LabelledSample[]> {
  return (await readJsonLines(path, '--corpus')).map(({ line, value }) => {
    const sample = value as { text?: unknown; kinds?: unknown; region?: unknown };
    if (typeof sample.text !== 'string')
      throw new CliError(`eval-privacy: ${path} line ${line}: "text" must be a string`);
    if (!Array.isArray(sample.kinds) || sample.kinds.some((kind) => !piiKinds.includes(kind))) {
      throw new CliError(
        `eval-privacy: ${path} line ${line}: "kinds" must list kinds from ${piiKinds.join(', ')} ([] for a clean prompt)`,
      );
    }
    if (sample.region !== undefined && typeof sample.region !== 'string') {
      throw new CliError(`eval-privacy: ${path} line ${line}: "region" must be a region code such as "DE"`);
    }
    return { line, text: sample.text, kinds: sample.kinds as PiiKind[], region: sample.region as string | undefined };
  });
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * `switchyard eval-privacy`: runs the on-device personal-data detector over a labelled corpus (by default the one
 * shipped with this package: sentences per kind in several languages and layouts, and clean prompts heavy with
 * numbers) and prints recall per kind and the false-positive rate on clean prompts; with `--data`, also the
 * false-positive rate over a routing-quality JSONL file's prompts (all assumed clean).
 */
export async function evalPrivacyCommand(options: EvalPrivacyOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const corpusPath = options.corpus === undefined ? shippedCorpus : resolve(cwd, options.corpus);
  if (corpusPath === undefined)
    throw new CliError('eval-privacy: the shipped corpus is missing; pass --corpus <jsonl>');
  const minConfidence = options.minConfidence;
  const detectors = new Map<string, PiiDetector>();
  const detectorFor = (region: string) => {
    let detector = detectors.get(region);
    if (detector === undefined) {
      try {
        detector = createPiiDetector({ regions: [region], ...(minConfidence === undefined ? {} : { minConfidence }) });
      } catch (error) {
        throw new CliError(`eval-privacy: ${(error as Error).message}`);
      }
      detectors.set(region, detector);
    }
    return detector;
  };
  const defaultRegion = options.region ?? 'US';
  const samples = await readCorpus(corpusPath);
  const kinds = Object.fromEntries(piiKinds.map((kind) => [kind, { samples: 0, found: 0, recall: 1 }])) as Record<
    PiiKind,
    { samples: number; found: number; recall: number }
  >;
  const missed: { line: number; kind: PiiKind }[] = [];
  const falsePositives: { line: number; kinds: PiiKind[] }[] = [];
  let clean = 0;
  const micros: number[] = [];
  for (const sample of samples) {
    const started = performance.now();
    const found = detectorFor(sample.region ?? defaultRegion)(sample.text).kinds;
    micros.push((performance.now() - started) * 1000);
    if (sample.kinds.length === 0) {
      clean += 1;
      if (found.length > 0) falsePositives.push({ line: sample.line, kinds: found });
    }
    for (const kind of sample.kinds) {
      kinds[kind].samples += 1;
      if (found.includes(kind)) kinds[kind].found += 1;
      else missed.push({ line: sample.line, kind });
    }
  }
  for (const entry of Object.values(kinds)) entry.recall = entry.samples === 0 ? 1 : entry.found / entry.samples;
  const summary: Record<string, unknown> = {
    corpus: corpusPath,
    minConfidence: detectorFor(defaultRegion).options.minConfidence,
    samples: samples.length,
    kinds,
    clean: {
      samples: clean,
      flagged: falsePositives.length,
      falsePositiveRate: clean === 0 ? 0 : falsePositives.length / clean,
    },
    missed,
    falsePositives,
  };
  let dataSummary:
    | { path: string; prompts: number; flagged: number; falsePositiveRate: number; kinds: Record<string, number> }
    | undefined;
  if (options.data !== undefined) {
    const dataPath = resolve(cwd, options.data);
    const rows = await readJsonLines(dataPath, '--data');
    const byKind: Record<string, number> = {};
    let flagged = 0;
    for (const { line, value } of rows) {
      const prompt = (value as { prompt?: unknown }).prompt;
      if (typeof prompt !== 'string')
        throw new CliError(`eval-privacy: ${dataPath} line ${line}: "prompt" must be a string`);
      const started = performance.now();
      const found = detectorFor(defaultRegion)(prompt).kinds;
      micros.push((performance.now() - started) * 1000);
      if (found.length > 0) flagged += 1;
      for (const kind of found) byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    dataSummary = {
      path: dataPath,
      prompts: rows.length,
      flagged,
      falsePositiveRate: rows.length === 0 ? 0 : flagged / rows.length,
      kinds: byKind,
    };
    summary.data = dataSummary;
  }
  micros.sort((left, right) => left - right);
  summary.scanMicros = { p50: percentile(micros, 0.5), p99: percentile(micros, 0.99) };
  if (options.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return exitCodes.ok;
  }
  const clean_ = summary.clean as { samples: number; flagged: number; falsePositiveRate: number };
  const lines = [
    `Corpus: ${corpusPath} (${samples.length} prompts; region ${defaultRegion} unless a prompt names one; min confidence ${summary.minConfidence})`,
    '  kind              prompts  found  recall',
    ...piiKinds.map(
      (kind) =>
        `  ${kind.padEnd(16)} ${String(kinds[kind].samples).padStart(8)} ${String(kinds[kind].found).padStart(6)}  ${percent(kinds[kind].recall).padStart(6)}`,
    ),
    `Clean prompts: ${clean_.samples}, flagged ${clean_.flagged} (${percent(clean_.falsePositiveRate)} false positives)`,
    ...missed.map((entry) => `  missed ${entry.kind} on line ${entry.line}`),
    ...falsePositives.map((entry) => `  false positive on line ${entry.line}: ${entry.kinds.join(', ')}`),
  ];
  if (dataSummary !== undefined) {
    const found = Object.entries(dataSummary.kinds).map(([kind, count]) => `${kind} ${count}`);
    lines.push(
      `Data: ${dataSummary.path} (${dataSummary.prompts} prompts, all clean): flagged ${dataSummary.flagged} (${percent(dataSummary.falsePositiveRate)} false positives)${found.length > 0 ? `: ${found.join(', ')}` : ''}`,
    );
  }
  const scan = summary.scanMicros as { p50: number; p99: number };
  lines.push(`Scan time per prompt: p50 ${scan.p50.toFixed(1)} µs, p99 ${scan.p99.toFixed(1)} µs`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return exitCodes.ok;
}
