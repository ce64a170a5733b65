import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { unavailableCodeOf } from '@switchyard/adapter-utils';
import type { Target, TargetStatus, UnavailableCode } from '@switchyard/contract';
import {
  ApiCallError,
  InvalidConfigError,
  redactUrl,
  type SwitchyardError,
  TimeoutError,
  toSwitchyardError,
} from '@switchyard/contract';
import { descriptorOf } from '../adapter-descriptors.js';
import type { CliIO } from '../cli-io.js';
import { exitCodes } from '../cli-io.js';
import type { StoreConfig } from '../config-schema.js';
import { redisStore } from '../create-router-from-config.js';
import { createTargetsFromConfig } from '../create-targets-from-config.js';
import type { SwitchyardConfig } from '../load-config.js';
import { loadConfig } from '../load-config.js';
import { configHints, type TargetConfig } from '../target-config-schema.js';
import { resolveSecret, secretReferences, targetSettings } from '../target-settings.js';
import { unsetVariableMessage } from '../unset-variable-message.js';

/** Options of `doctor`, as parsed from the command line. */
export interface DoctorOptions {
  config: string;
  json?: boolean;
  /** Skip the one-token generation probe (status checks only). */
  skipGenerate?: boolean;
  timeoutMs?: number;
}

/** What `doctor` found about one target. */
export interface DoctorReport {
  target: string;
  adapter: string;
  locality?: string;
  ok: boolean;
  status?: TargetStatus['state'];
  /** The stable code of an `unavailable` status. */
  code?: UnavailableCode;
  statusDetail?: string;
  statusMs?: number;
  generateMs?: number;
  problems: string[];
  fixes: string[];
}

function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError({ timeoutMs, phase: 'doctor probe' }));
    }, timeoutMs);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/**
 * What to do about one kind of unavailability; decided by the stable `code` (and, for a thrown error, its class), never
 * by parsing a message. Which settings hold the credentials and the model file comes from the adapter's descriptor.
 */
function fixesFor(
  name: string,
  config: TargetConfig,
  code: UnavailableCode,
  detail: string,
  context: { baseDir: string; error?: SwitchyardError },
): string[] {
  const fields = config as unknown as Record<string, unknown>;
  const hints = configHints(descriptorOf(config.adapter));
  // Redacted: a base URL may carry credentials (`user:password@`, `?api-key=`), and the fix lines are printed.
  const where = typeof fields.baseURL === 'string' ? redactUrl(fields.baseURL) : undefined;
  switch (code) {
    case 'unauthorized': {
      const given = (hints.secrets ?? []).filter((key) => fields[key] !== undefined);
      const variables = secretReferences(name, config).map((reference) => reference.env);
      const check = given.length > 0 ? given.map((key) => `targets.${name}.${key}`).join(' and ') : `targets.${name}`;
      return [
        `the server rejected the credentials: check ${check}${variables.length > 0 ? ` (environment variable ${variables.join(', ')})` : ''}`,
      ];
    }
    case 'not-found':
      return [`the server does not serve this model or path: check targets.${name}.model and baseURL (${where})`];
    case 'unreachable':
      return [`nothing answers at ${where ?? 'the target'}: start the server or fix targets.${name}.baseURL`];
    case 'timeout':
      return ['the target is too slow or hung: check its load, or raise --timeout'];
    case 'model-missing':
    case 'load-failed': {
      const { file, downloadUri } = hints.model ?? {};
      const settings = file ? targetSettings(config, { baseDir: context.baseDir, env: {} }) : {};
      const path = file ? settings[file] : undefined;
      const uri = downloadUri ? settings[downloadUri] : undefined;
      if (typeof path === 'string' && !existsSync(path)) {
        return [
          typeof uri === 'string'
            ? `the model file ${path} is missing: run switchyard models pull ${uri} --dir ${dirname(path)}`
            : `the model file ${path} is missing: fix targets.${name}.${file} or download it with switchyard models pull <uri>`,
        ];
      }
      return code === 'model-missing' ? [`the model is not on the runtime: ${detail}`] : [];
    }
    case 'probe-failed':
      return ApiCallError.isInstance(context.error) ? ['the server answered with an error: look at its logs'] : [];
    default:
      return [];
  }
}

async function checkTarget(
  name: string,
  target: Target,
  config: SwitchyardConfig,
  options: DoctorOptions,
): Promise<DoctorReport> {
  const targetConfig = config.targets[name]!;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const report: DoctorReport = {
    target: name,
    adapter: targetConfig.adapter,
    locality: target.locality,
    ok: false,
    problems: [],
    fixes: [],
  };
  const started = performance.now();
  let unavailable: (TargetStatus & { state: 'unavailable' }) | undefined;
  try {
    // Optional on `Target`: a target without it is asked `status()` instead.
    const checkStatus = target.checkStatus?.bind(target);
    const status = checkStatus ? await withTimeout((signal) => checkStatus({ signal }), timeoutMs) : target.status();
    report.statusMs = Math.round(performance.now() - started);
    report.status = status.state;
    if (status.state === 'unavailable') {
      unavailable = status;
      report.code = status.code;
      report.statusDetail = status.reason;
      report.problems.push(`unavailable: ${status.reason}`);
    } else if (status.state === 'downloading') {
      report.statusDetail = `${Math.round(status.progress * 100)}% downloaded`;
    }
  } catch (error) {
    const converted = toSwitchyardError(error, { target: name });
    report.status = 'unavailable';
    report.problems.push(converted.message);
    report.fixes.push(
      ...fixesFor(name, targetConfig, unavailableCodeOf(converted), converted.message, {
        baseDir: config.baseDir,
        error: converted,
      }),
    );
    return report;
  }
  if (unavailable !== undefined) {
    report.fixes.push(
      ...fixesFor(name, targetConfig, unavailable.code, unavailable.reason, { baseDir: config.baseDir }),
    );
    return report;
  }
  if (!options.skipGenerate) {
    const probeStarted = performance.now();
    try {
      await withTimeout(
        (signal) =>
          target.generate({ messages: [{ role: 'user', content: 'Say OK.' }], maxTokens: 1, temperature: 0, signal }),
        timeoutMs,
      );
      report.generateMs = Math.round(performance.now() - probeStarted);
    } catch (error) {
      const converted = toSwitchyardError(error, { target: name });
      report.problems.push(`a one-token generation failed: ${converted.message}`);
      report.fixes.push(
        ...fixesFor(name, targetConfig, unavailableCodeOf(converted), converted.message, {
          baseDir: config.baseDir,
          error: converted,
        }),
      );
      return report;
    }
  }
  report.ok = true;
  return report;
}

/** What `doctor` found about the config's shared state store (only when it names Redis). */
export interface DoctorStoreReport {
  type: 'redis';
  ok: boolean;
  /** Where it connects, without credentials. */
  where: string;
  connectMs?: number;
  problems: string[];
  fixes: string[];
}

/** Connects to the config's Redis store the way `serve` would, and says whether replicas would share state. */
async function checkStore(
  store: Extract<StoreConfig, { type: 'redis' }>,
  env: NodeJS.ProcessEnv,
): Promise<DoctorStoreReport> {
  const where =
    store.url !== undefined
      ? typeof store.url === 'string'
        ? redactUrl(store.url)
        : `$${store.url.env}`
      : store.cluster !== undefined
        ? `cluster ${store.cluster.rootNodes.map(redactUrl).join(', ')}`
        : `sentinel ${store.sentinel!.name} via ${store.sentinel!.sentinels.map((node) => `${node.host}:${node.port}`).join(', ')}`;
  const started = performance.now();
  try {
    const connected = (await redisStore(store, env)) as Awaited<ReturnType<typeof redisStore>> & { shared?: boolean };
    const connectMs = Math.round(performance.now() - started);
    const shared = connected.shared === true;
    await connected.close();
    return shared
      ? { type: 'redis', ok: true, where, connectMs, problems: [], fixes: [] }
      : {
          type: 'redis',
          ok: false,
          where,
          connectMs,
          problems: [
            'Redis did not answer: serve would start on local state, so replicas would not share budgets or circuits',
          ],
          fixes: ['start Redis (or fix store.url / store.cluster / store.sentinel), then run doctor again'],
        };
  } catch (error) {
    const problems = InvalidConfigError.isInstance(error)
      ? error.problems.map((problem) => `${problem.path}: ${problem.message}`)
      : [(error as Error).message];
    return { type: 'redis', ok: false, where, problems, fixes: [] };
  }
}

function printStore(io: CliIO, report: DoctorStoreReport) {
  const lines = [
    `${report.ok ? 'ok  ' : 'FAIL'} store (redis, ${report.where}): ${report.ok ? 'reachable' : 'not reachable'}` +
      `${report.connectMs === undefined ? '' : `; connect ${report.connectMs} ms`}`,
    ...report.problems.map((problem) => `     problem: ${problem}`),
    ...report.fixes.map((fix) => `     fix: ${fix}`),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

function printReports(io: CliIO, reports: DoctorReport[]) {
  const lines: string[] = [];
  for (const report of reports) {
    const mark = report.ok ? 'ok  ' : 'FAIL';
    const timings = [
      report.statusMs === undefined ? undefined : `status ${report.statusMs} ms`,
      report.generateMs === undefined ? undefined : `1-token generate ${report.generateMs} ms`,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${mark} ${report.target} (${report.adapter}${report.locality ? `, ${report.locality}` : ''}): ` +
        `${report.status ?? 'not checked'}${report.statusDetail ? ` — ${report.statusDetail}` : ''}${timings ? `; ${timings}` : ''}`,
    );
    for (const problem of report.problems)
      if (problem !== `unavailable: ${report.statusDetail}`) lines.push(`     problem: ${problem}`);
    for (const fix of report.fixes) lines.push(`     fix: ${fix}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** The last line: one verdict over the targets and the store, printed after both (a failed store is not "ready"). */
function summary(reports: DoctorReport[], store: DoctorStoreReport | undefined): string {
  const failed = reports.filter((report) => !report.ok).length;
  const targets = failed === 0 ? 'All targets are ready' : `${failed} of ${reports.length} targets need attention`;
  return store?.ok === false ? `${targets}; the store needs attention.` : `${targets}.`;
}

/**
 * `switchyard doctor`: checks each target: secrets present, adapter installed, `checkStatus()` (timed), and a
 * one-token generation (timed; `--skip-generate` leaves it out); and a Redis `store` the way `serve` would connect to
 * it. Prints what to fix; exits 1 when any target or the store fails.
 */
export async function doctorCommand(options: DoctorOptions, io: CliIO): Promise<number> {
  const env = io.env ?? process.env;
  const config = await loadConfig(options.config, io.cwd === undefined ? {} : { cwd: io.cwd });
  const reports: DoctorReport[] = [];
  for (const [name, targetConfig] of Object.entries(config.targets)) {
    const missing = secretReferences(name, targetConfig).filter(
      (reference) => resolveSecret({ env: reference.env }, env) === undefined,
    );
    let target: Target;
    try {
      const built = await createTargetsFromConfig(
        { targets: { [name]: targetConfig }, baseDir: config.baseDir },
        { env, missingSecrets: 'omit' },
      );
      target = built[name]!;
    } catch (error) {
      const problems = InvalidConfigError.isInstance(error)
        ? error.problems.map((problem) => `${problem.path}: ${problem.message}`)
        : [(error as Error).message];
      reports.push({ target: name, adapter: targetConfig.adapter, ok: false, problems, fixes: [] });
      continue;
    }
    try {
      const report = await checkTarget(name, target, config, options);
      for (const reference of missing) {
        report.problems.unshift(`${reference.path}: ${unsetVariableMessage(reference.env, env)}`);
        report.fixes.unshift(`export ${reference.env}=… before starting switchyard`);
        report.ok = false;
      }
      reports.push(report);
    } finally {
      await target.dispose?.();
    }
  }
  const store = config.store?.type === 'redis' ? await checkStore(config.store, env) : undefined;
  if (options.json) io.stdout.write(`${JSON.stringify({ targets: reports, ...(store ? { store } : {}) }, null, 2)}\n`);
  else {
    printReports(io, reports);
    if (store) printStore(io, store);
    io.stdout.write(`${summary(reports, store)}\n`);
  }
  return reports.every((report) => report.ok) && store?.ok !== false ? exitCodes.ok : exitCodes.error;
}
