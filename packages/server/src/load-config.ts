import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nearestKey, settingsProblems } from '@switchyard/adapter-utils';
import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError, InvalidPolicyError } from '@switchyard/contract';
import type { Policy } from '@switchyard/core';
import { parsePolicy } from '@switchyard/core';
import type { z } from 'zod';
import { adapterDescriptors } from './adapter-descriptors.js';
import { configSchema } from './config-schema.js';
import { targetSettingsProblems } from './create-targets-from-config.js';
import { duplicateJsonKeys } from './duplicate-json-keys.js';
import { jsonParseProblem } from './json-parse-problem.js';
import type { TargetConfig } from './target-config-schema.js';

/** A validated config file: the targets as written, the policy with defaults applied, and where it came from. */
export interface SwitchyardConfig extends Omit<z.infer<typeof configSchema>, 'policy'> {
  policy: Policy;
  /** The policy exactly as written (what `createRouter` receives). */
  policyInput: unknown;
  /** The folder relative model paths are resolved against. */
  baseDir: string;
  /** The file it was read from, when there was one. */
  path?: string;
}

/**
 * Validates a config object (already read from a file, or built in code). Every problem is reported at once,
 * each with its path: `targets.gpu.baseURL: expected a URL like http://127.0.0.1:8000/v1`.
 *
 * @example
 * ```ts
 * const config = parseConfig({ targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'm' } } });
 * ```
 */
export function parseConfig(input: unknown, options: { baseDir?: string; path?: string } = {}): SwitchyardConfig {
  const problems: InputProblem[] = [];
  const baseDir = options.baseDir ?? process.cwd();
  const result = configSchema.safeParse(input);
  if (!result.success) {
    problems.push(...settingsProblems(configSchema, input, result.error.issues).map((p) => withAdapterGuess(p, input)));
  }
  problems.push(...adapterProblems(input, baseDir, new Set(problems.map((problem) => problem.path))));
  if (result.success) problems.push(...duplicateIdProblems(result.data.targets));
  const policyInput = typeof input === 'object' && input !== null ? (input as { policy?: unknown }).policy : undefined;
  let policy: Policy | undefined;
  try {
    policy = parsePolicy(policyInput ?? {});
  } catch (error) {
    if (!InvalidPolicyError.isInstance(error)) throw error;
    problems.push(...error.problems);
  }
  if (!result.success || policy === undefined || problems.length > 0) {
    throw new InvalidConfigError({ problems });
  }
  return {
    ...result.data,
    policy,
    policyInput: policyInput ?? {},
    baseDir,
    ...(options.path === undefined ? {} : { path: options.path }),
  };
}

/**
 * Two targets given the same `id`: a request whose `model` is that id always reaches the first, so the second can
 * never be pinned by it. Ids the adapters derive (`openai:<model>` for two servers of one model) may repeat.
 */
function duplicateIdProblems(targets: Record<string, unknown>): InputProblem[] {
  const owners = new Map<string, string>();
  const problems: InputProblem[] = [];
  for (const [name, target] of Object.entries(targets)) {
    const id = (target as { id?: unknown }).id;
    if (typeof id !== 'string') continue;
    const first = owners.get(id);
    if (first === undefined) owners.set(id, name);
    else {
      problems.push({
        path: `targets.${name}.id`,
        message: `"${id}" is also the id of targets.${first}, which a request naming it would always reach; give each target its own id`,
      });
    }
  }
  return problems;
}

/** `targets.gpu.adapter: expected one of …` gains the adapter a typo (`opneai`) most likely meant. */
function withAdapterGuess(problem: InputProblem, input: unknown): InputProblem {
  const name = /^targets\.(.+)\.adapter$/.exec(problem.path)?.[1];
  if (name === undefined) return problem;
  const target = (input as { targets?: Record<string, unknown> }).targets?.[name];
  const written = (target as { adapter?: unknown } | undefined)?.adapter;
  const meant = typeof written === 'string' ? nearestKey(written, Object.keys(adapterDescriptors)) : undefined;
  return meant === undefined ? problem : { ...problem, message: `${problem.message}; did you mean "${meant}"?` };
}

/**
 * What each target's adapter finds in the settings the target would get (see `targetSettingsProblems`), leaving out
 * paths the config's schema already reported. A target the schema rejected may not even have the shape its adapter
 * expects: what its adapter would say about it then is left for after the schema's problems are fixed.
 */
function adapterProblems(input: unknown, baseDir: string, reported: Set<string>): InputProblem[] {
  const targets = (input as { targets?: unknown } | undefined)?.targets;
  if (typeof targets !== 'object' || targets === null) return [];
  const problems: InputProblem[] = [];
  for (const [name, target] of Object.entries(targets)) {
    const adapter = (target as { adapter?: unknown } | null)?.adapter;
    if (typeof adapter !== 'string' || !Object.hasOwn(adapterDescriptors, adapter)) continue;
    const rejected = [...reported].some((path) => path === `targets.${name}` || path.startsWith(`targets.${name}.`));
    try {
      const found = targetSettingsProblems(name, target as TargetConfig, baseDir);
      problems.push(...found.filter((problem) => !reported.has(problem.path)));
    } catch (error) {
      if (!rejected) throw error;
    }
  }
  return problems;
}

const typeScriptExtensions = new Set(['.ts', '.mts', '.cts']);
const configExtensions = new Set(['.json', '.js', '.mjs', '.cjs', ...typeScriptExtensions]);

/** `switchyard.config.json`, `.ts`, … in `dir`: what a folder given as `--config` most likely meant. */
async function configFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => /^switchyard\.config\.[cm]?[jt]s(on)?$/.test(name)).sort();
}

function configFileProblem(message: string, cause?: unknown): InvalidConfigError {
  return new InvalidConfigError({ problems: [{ path: '', message }], ...(cause === undefined ? {} : { cause }) });
}

/**
 * Checks the file before it is read or imported, so a missing file, a folder or a YAML file is named as such: Node's
 * import errors for them are about module resolution and name the CLI's own chunk as the importer.
 */
async function checkConfigPath(path: string): Promise<void> {
  const stats = await stat(path).catch((error: unknown) => {
    throw fileProblem(path, error);
  });
  if (stats.isDirectory()) {
    const found = await configFilesIn(path);
    throw configFileProblem(
      `${path} is a folder, not a config file: ${
        found.length > 0
          ? `pass the file in it, e.g. --config ${join(path, found[0] as string)}`
          : 'pass a file such as switchyard.config.json (none is in that folder)'
      }`,
    );
  }
  const extension = extname(path).toLowerCase();
  if (!configExtensions.has(extension)) {
    throw configFileProblem(
      `${path}: a config is a .json file or a .js/.mjs/.ts/.mts module exporting it; "${extension || 'no extension'}" is neither`,
    );
  }
}

async function readConfigFile(path: string): Promise<unknown> {
  await checkConfigPath(path);
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw fileProblem(path, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw configFileProblem(
        `${path} is not valid JSON: ${jsonParseProblem(text, error as Error, 'remove them or use a switchyard.config.ts')}`,
        error,
      );
    }
    const duplicates = duplicateJsonKeys(text);
    if (duplicates.length > 0) {
      throw new InvalidConfigError({
        problems: duplicates.map((duplicate) => ({
          path: duplicate.path,
          message:
            `written twice (lines ${duplicate.firstLine} and ${duplicate.line}): JSON keeps only the second; ` +
            'remove one, or give each its own name',
        })),
      });
    }
    return parsed;
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Node >= 22.18 strips types itself but does not map TypeScript's `./x.js` imports to `./x.ts`; esbuild does.
    const jsImportOfTs =
      code === 'ERR_MODULE_NOT_FOUND' && /\.js' imported from /.test(String((error as Error).message));
    // A syntax error goes through esbuild too, which names the line and column as a config problem.
    const compile = code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_INVALID_TYPESCRIPT_SYNTAX' || jsImportOfTs;
    if (typeScriptExtensions.has(extension) && compile) {
      module = await importTypeScript(path);
    } else {
      throw threwProblem(path, error);
    }
  }
  // A module may export the object or a (possibly async) function that returns it.
  const exported = module.default ?? module;
  if (typeof exported !== 'function') return exported;
  try {
    return await (exported as () => unknown)();
  } catch (error) {
    throw threwProblem(path, error);
  }
}

/**
 * An error the config's own code threw (a missing variable it checks itself, say), or a file it imports that is
 * missing, is the user's to fix: its message and where in the config it was thrown, without the CLI's stack; the
 * error itself stays the `cause`.
 */
function threwProblem(path: string, error: unknown): InvalidConfigError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const url = pathToFileURL(path).href;
  const line = stack
    .split('\n')
    .map((frame) => /\((file:[^)]+)\)|at (file:\S+)/.exec(frame))
    .map((match) => match?.[1] ?? match?.[2])
    .find((frame) => frame?.startsWith(`${url}:`));
  const where = line === undefined ? '' : ` (at ${fileURLToPath(url)}${line.slice(url.length)})`;
  return configFileProblem(`${path} failed while loading: ${message}${where}`, error);
}

/** The part of esbuild's API used to compile a TypeScript config (esbuild is an optional peer dependency). */
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: Array<{ text: string }> }>;
}

/**
 * Node before 22.18 cannot import `.ts` files. Where esbuild is installed (most TypeScript projects have it, through
 * tsup, vite or tsx), the config and the local files it imports are compiled into one ES module beside it (so its
 * own package imports resolve as they would from the config), imported, and deleted.
 */
async function importTypeScript(path: string): Promise<{ default?: unknown }> {
  const specifier: string = 'esbuild';
  let esbuild: EsbuildLike;
  try {
    esbuild = (await import(specifier)) as EsbuildLike;
  } catch {
    throw new InvalidConfigError({
      problems: [
        {
          path: '',
          message:
            `${path}: Node ${process.versions.node} cannot import TypeScript by itself. Install esbuild next to ` +
            '@switchyard/server (npm install -D esbuild) so the CLI can compile it, rename it to ' +
            'switchyard.config.js (or .mjs), or run the CLI with a loader: node --import tsx <cli> …',
        },
      ],
    });
  }
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles?.[0]?.text ?? '';
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors;
    throw new InvalidConfigError({
      problems: (errors?.length ? errors : [{ text: (error as Error).message }]).map((entry) => ({
        path: '',
        message: `${path}${'location' in entry && entry.location ? `:${entry.location.line}:${entry.location.column}` : ''}: ${entry.text}`,
      })),
      cause: error,
    });
  }
  const compiled = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.mjs`);
  try {
    await writeFile(compiled, code);
  } catch (error) {
    throw new InvalidConfigError({
      problems: [
        {
          path: '',
          message: `${path}: cannot write the compiled config beside it (${(error as Error).message}); use a .js config`,
        },
      ],
      cause: error,
    });
  }
  try {
    return (await import(pathToFileURL(compiled).href)) as { default?: unknown };
  } catch (error) {
    throw threwProblem(path, error);
  } finally {
    await rm(compiled, { force: true });
  }
}

function fileProblem(path: string, error: unknown): InvalidConfigError {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' || code === 'ERR_MODULE_NOT_FOUND' ? 'no such file' : (error as Error).message;
  return new InvalidConfigError({
    problems: [{ path: '', message: `cannot read config file ${path}: ${reason}` }],
    cause: error,
  });
}

/**
 * Reads and validates a config file: `switchyard.config.json`, or a `.js`/`.mjs` module whose default export is the
 * config (or a function returning it), or a `.ts`/`.mts` module (imported natively on Node ≥ 22.18, compiled with the
 * optional peer esbuild before that).
 * Throws `InvalidConfigError` listing every problem by path.
 *
 * @example
 * ```ts
 * const config = await loadConfig('switchyard.config.json');
 * const { router } = await createRouterFromConfig(config);
 * ```
 */
export async function loadConfig(file: string, options: { cwd?: string } = {}): Promise<SwitchyardConfig> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const input = await readConfigFile(path);
  return parseConfig(input, { baseDir: dirname(path), path });
}
