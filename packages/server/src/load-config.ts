import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Policy } from '@switchyard/core';
import { parsePolicy } from '@switchyard/core';
import type { InputProblem } from '@switchyard/spec';
import { InvalidConfigError, InvalidPolicyError, zodIssuesToProblems } from '@switchyard/spec';
import type { z } from 'zod';
import { configSchema } from './config-schema.js';

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
  const result = configSchema.safeParse(input);
  if (!result.success) problems.push(...zodIssuesToProblems(result.error.issues));
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
    baseDir: options.baseDir ?? process.cwd(),
    ...(options.path === undefined ? {} : { path: options.path }),
  };
}

const typeScriptExtensions = new Set(['.ts', '.mts', '.cts']);

async function readConfigFile(path: string): Promise<unknown> {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw fileProblem(path, error);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidConfigError({
        problems: [{ path: '', message: `${path} is not valid JSON: ${(error as Error).message}` }],
      });
    }
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeScriptExtensions.has(extension) && code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new InvalidConfigError({
        problems: [
          {
            path: '',
            message:
              `${path}: Node ${process.versions.node} cannot import TypeScript by itself. Rename it to ` +
              'switchyard.config.js (or .mjs), or run the CLI with a loader: node --import tsx <cli> …',
          },
        ],
      });
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && !(error as Error).message.includes('imported from')) {
      throw fileProblem(path, error);
    }
    throw error;
  }
  // A module may export the object or a (possibly async) function that returns it.
  const exported = module.default ?? module;
  return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
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
 * config (or a function returning it). `.ts` works when Node runs with a TypeScript loader (`--import tsx`).
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
