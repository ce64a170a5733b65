import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Exclusion } from '@switchyard/contract';
import { InvalidConfigError, NoEligibleTargetError } from '@switchyard/contract';
import type { PolicyInput, RoutePlan } from '@switchyard/core';
import { createRouter } from '@switchyard/core';
import type { CliIO } from '../cli-io.js';
import { CliError, exitCodes } from '../cli-io.js';
import { createPlanTargets } from '../create-plan-targets.js';
import { difficultyForPolicy } from '../difficulty-for-policy.js';
import { jsonParseProblem } from '../json-parse-problem.js';
import { loadConfig } from '../load-config.js';
import { autoModel, parseChatCompletionBody } from '../openai-request.js';
import { resolveModel } from '../resolve-model.js';
import { parseSignalsFile } from '../signals-file.js';

/** Options of the `plan` command, as parsed from the command line. */
export interface PlanCommandOptions {
  config: string;
  request: string;
  signals?: string;
  json?: boolean;
}

async function readText(file: string, io: CliIO, what: string): Promise<string> {
  if (file === '-') {
    if (!io.stdin) throw new CliError(`--${what} - reads standard input, which is not available here`);
    // At a terminal nothing was piped in: say what is awaited rather than wait in silence.
    if ((io.stdin as { isTTY?: boolean }).isTTY === true) {
      io.stderr.write(
        `Reading the ${what} from standard input: paste the JSON, then press Ctrl-D (pipe it in next time)\n`,
      );
    }
    let text = '';
    for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    return text;
  }
  try {
    return await readFile(resolve(io.cwd ?? process.cwd(), file), 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : (code ?? String(error));
    throw new CliError(`cannot read the ${what} file ${file}: ${reason}`);
  }
}

async function readJson(file: string, io: CliIO, what: string): Promise<unknown> {
  const text = await readText(file, io, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    const source = file === '-' ? `the ${what} on standard input` : `the ${what} file ${file}`;
    throw new CliError(`${source} is not valid JSON: ${jsonParseProblem(text, error as Error)}`);
  }
}

/** The `--signals` file's overrides; its problems are titled with the file, not as the config's. */
function signalsOf(input: unknown, file: string, names: readonly string[]) {
  try {
    return parseSignalsFile(input, names);
  } catch (error) {
    if (!InvalidConfigError.isInstance(error)) throw error;
    const lines = error.problems.map((problem) => `  - ${problem.path}: ${problem.message}`);
    throw new CliError(`Invalid signals file ${file}:\n${lines.join('\n')}`);
  }
}

/** The JSON `plan --json` prints. */
export interface PlanOutput {
  plan: Array<{ target: string; locality: string; score?: number }>;
  excluded: Exclusion[];
  explanation: string[];
  privacy?: RoutePlan['privacy'];
  difficulty?: number;
}

function printText(io: CliIO, output: PlanOutput) {
  const lines: string[] = [];
  lines.push('Plan:');
  if (output.plan.length === 0) lines.push('  (none)');
  output.plan.forEach((entry, index) => {
    const score = entry.score === undefined ? '' : `  score ${entry.score.toFixed(3)}`;
    lines.push(`  ${index + 1}. ${entry.target} (${entry.locality})${index === 0 ? '  ← primary' : ''}${score}`);
  });
  lines.push('Excluded:');
  if (output.excluded.length === 0) lines.push('  (none)');
  for (const entry of output.excluded) lines.push(`  - ${entry.target}: ${entry.reason} — ${entry.detail}`);
  if (output.privacy?.private) {
    const detected = output.privacy.detected.length > 0 ? ` (detected: ${output.privacy.detected.join(', ')})` : '';
    lines.push(`Privacy: private${detected}`);
  }
  if (output.difficulty !== undefined) lines.push(`Difficulty: ${output.difficulty.toFixed(3)}`);
  lines.push('Explanation:');
  for (const line of output.explanation) lines.push(`  · ${line}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * `switchyard plan`: a dry run of the routing decision for one request. Builds plan-only targets from the config
 * (no adapter is imported, no model loaded, no socket opened), applies the signals file, and prints the plan, the
 * excluded targets with their reasons, and the explanation. Exit code 2 when no target is eligible.
 */
export async function planCommand(options: PlanCommandOptions, io: CliIO): Promise<number> {
  const config = await loadConfig(options.config, io.cwd === undefined ? {} : { cwd: io.cwd });
  const names = Object.keys(config.targets);
  const body = await readJson(options.request, io, 'request');
  const translated = parseChatCompletionBody(body);
  const overrides =
    options.signals === undefined
      ? {}
      : signalsOf(await readJson(options.signals, io, 'signals'), options.signals, names);
  const targets = createPlanTargets(config, overrides.targets);
  const resolved = resolveModel(translated.model, targets);
  if (!resolved) {
    const expected = [autoModel, ...names].map((name) => `"${name}"`).join(', ');
    throw new InvalidConfigError({
      problems: [
        { path: 'request.model', message: `unknown model "${translated.model}"; expected one of ${expected}` },
      ],
    });
  }
  const pinned = resolved.pinned;
  const difficulty = difficultyForPolicy(config.policyInput);
  const router = createRouter({
    targets,
    policy: config.policyInput as PolicyInput,
    ...(difficulty ? { difficulty } : {}),
  });
  try {
    let plan: RoutePlan;
    try {
      plan = router.plan(translated.request, {
        signals: overrides,
        ...(pinned === undefined ? {} : { targets: [pinned] }),
      });
    } catch (error) {
      if (!NoEligibleTargetError.isInstance(error)) throw error;
      return reportNoEligible(io, options, { plan: [], excluded: error.excluded, explanation: [] }, error);
    }
    const output: PlanOutput = {
      plan: plan.plan.map((entry) => ({
        target: entry.target,
        locality: entry.locality,
        ...(entry.score === undefined ? {} : { score: entry.score }),
      })),
      excluded: plan.excluded,
      explanation: plan.explanation,
      privacy: plan.privacy,
      ...(plan.difficulty === undefined ? {} : { difficulty: plan.difficulty }),
    };
    if (output.plan.length === 0) {
      return reportNoEligible(io, options, output, new NoEligibleTargetError({ excluded: plan.excluded }));
    }
    if (options.json) io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    else printText(io, output);
    return exitCodes.ok;
  } finally {
    await router.dispose();
  }
}

function reportNoEligible(io: CliIO, options: PlanCommandOptions, output: PlanOutput, error: NoEligibleTargetError) {
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...output, error: error.toJSON() }, null, 2)}\n`);
  } else {
    printText(io, output);
  }
  const lines = [`${error.name}: no target may serve this request`];
  for (const entry of error.excluded) lines.push(`  - ${entry.target}: ${entry.reason} — ${entry.detail}`);
  io.stderr.write(`${lines.join('\n')}\n`);
  return exitCodes.noEligibleTarget;
}
