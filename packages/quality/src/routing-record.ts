import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError, zodIssuesToProblems } from '@switchyard/contract';
import { z } from 'zod';

/** One labelled prompt: did the weak (local) and the strong (remote) model answer it correctly? */
export interface RoutingRecord {
  id: string;
  benchmark: string;
  subject: string | null;
  prompt: string;
  weakCorrect: boolean;
  strongCorrect: boolean;
}

/** One line of a routing-quality JSONL file (snake_case, as in RouteLLM's evaluation data). Extra keys are ignored. */
export const routingRecordLineSchema = z.object({
  id: z.string().min(1),
  benchmark: z.string().min(1),
  subject: z.string().nullable().default(null),
  prompt: z.string(),
  weak_correct: z.boolean(),
  strong_correct: z.boolean(),
});

const maxProblems = 20;

/**
 * Parses routing-quality JSON Lines. Blank lines are skipped; every bad line is reported (up to 20) as
 * `line 7: weak_correct: expected boolean, received string` in one `InvalidConfigError`.
 * @example
 * const records = parseRoutingRecords('{"id":"a","benchmark":"mmlu","subject":null,"prompt":"…","weak_correct":true,"strong_correct":true}\n');
 */
export function parseRoutingRecords(text: string, source = 'data'): RoutingRecord[] {
  const records: RoutingRecord[] = [];
  const problems: InputProblem[] = [];
  let badLines = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const where = `${source} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      badLines += 1;
      if (problems.length < maxProblems) {
        problems.push({ path: where, message: `is not valid JSON (${(error as Error).message})` });
      }
      continue;
    }
    const parsed = routingRecordLineSchema.safeParse(value);
    if (!parsed.success) {
      badLines += 1;
      for (const problem of zodIssuesToProblems(parsed.error.issues)) {
        if (problems.length < maxProblems) {
          problems.push({ path: problem.path ? `${where}: ${problem.path}` : where, message: problem.message });
        }
      }
      continue;
    }
    const record = parsed.data;
    records.push({
      id: record.id,
      benchmark: record.benchmark,
      subject: record.subject,
      prompt: record.prompt,
      weakCorrect: record.weak_correct,
      strongCorrect: record.strong_correct,
    });
  }
  if (badLines > 0) {
    if (badLines > problems.length) {
      problems.push({ path: source, message: `${badLines} bad lines in all; fix the ones above and run again` });
    }
    throw new InvalidConfigError({ problems });
  }
  if (records.length === 0) {
    throw new InvalidConfigError({
      problems: [{ path: source, message: 'has no records; expected one JSON object per line' }],
    });
  }
  return records;
}

/**
 * Reads and validates a routing-quality JSONL file (fields `id`, `benchmark`, `subject`, `prompt`, `weak_correct`,
 * `strong_correct`). Throws `InvalidConfigError` naming each bad line and field, or the file if it cannot be read.
 * @example
 * const records = await readRoutingRecords('../shared/data/routing-quality/train.jsonl');
 */
export async function readRoutingRecords(path: string): Promise<RoutingRecord[]> {
  // Imported lazily so the scorer stays usable where there is no file system (browsers, React Native).
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError({
      problems: [
        { path: 'data', message: `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? error})` },
      ],
      cause: error,
    });
  }
  return parseRoutingRecords(text, path);
}
