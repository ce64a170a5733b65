import { isAbsolute, resolve } from 'node:path';
import { createPoolTarget } from '@switchyard/adapter-utils';
import type { InputProblem, Target, TargetCapabilities } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import { adapterDescriptors } from './adapter-descriptors.js';
import type { SecretConfig, TargetConfig } from './config-schema.js';
import type { SwitchyardConfig } from './load-config.js';

/** Options of {@link createTargetsFromConfig}. */
export interface CreateTargetsOptions {
  /** Where `{ "env": "NAME" }` secrets are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * What to do when a secret's environment variable is unset: `error` (default) fails with the path and the
   * variable's name; `omit` leaves the setting out (for `plan` and `doctor`, which report it instead).
   */
  missingSecrets?: 'error' | 'omit';
}

/** Reads a secret's value; `undefined` when it names an unset environment variable. */
export function resolveSecret(secret: SecretConfig | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (secret === undefined) return undefined;
  if (typeof secret === 'string') return secret;
  const value = env[secret.env];
  return value === undefined || value === '' ? undefined : value;
}

/** Every environment variable a target's secrets name, with the config path of each. */
export function secretReferences(name: string, config: TargetConfig): { path: string; env: string }[] {
  const references: { path: string; env: string }[] = [];
  if (config.adapter === 'openai') {
    if (config.apiKey && typeof config.apiKey !== 'string') {
      references.push({ path: `targets.${name}.apiKey`, env: config.apiKey.env });
    }
    for (const [header, value] of Object.entries(config.headers ?? {})) {
      if (typeof value !== 'string') references.push({ path: `targets.${name}.headers.${header}`, env: value.env });
    }
  }
  return references;
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/** The settings object an adapter's factory receives for one configured target. */
export function adapterSettings(
  config: TargetConfig,
  context: { baseDir: string; env: NodeJS.ProcessEnv },
): Record<string, unknown> {
  switch (config.adapter) {
    case 'llamacpp':
      // node-llama-cpp sizes its context from `contextSize`; the declared window must agree with it.
      return defined({
        modelPath:
          config.modelPath === undefined || isAbsolute(config.modelPath)
            ? config.modelPath
            : resolve(context.baseDir, config.modelPath),
        modelUri: config.modelUri,
        contextSize: config.contextSize ?? config.capabilities?.contextWindow,
        threads: config.threads,
        gpu: config.gpu,
        sequences: config.sequences,
        maxQueue: config.maxQueue,
        quality: config.capabilities?.quality,
        ...config.settings,
      });
    case 'openai': {
      const headers = config.headers
        ? Object.fromEntries(
            Object.entries(config.headers).flatMap(([header, secret]) => {
              const value = resolveSecret(secret, context.env);
              return value === undefined ? [] : [[header, value]];
            }),
          )
        : undefined;
      return defined({
        baseURL: config.baseURL,
        model: config.model,
        apiKey: resolveSecret(config.apiKey, context.env),
        headers,
        timeoutMs: config.timeoutMs,
        firstTokenTimeoutMs: config.firstTokenTimeoutMs,
        capabilities: config.capabilities,
        price: config.price,
        ...config.settings,
      });
    }
    case 'ollama':
      return defined({
        model: config.model,
        baseURL: config.baseURL,
        capabilities: config.capabilities,
        ...config.settings,
      });
    case 'triton':
      return defined({
        baseURL: config.baseURL,
        model: config.model,
        chatTemplate: config.chatTemplate,
        capabilities: config.capabilities,
        ...config.settings,
      });
  }
}

/**
 * Makes the target declare what the config says, whatever its adapter accepts as settings: the router plans with
 * `target.capabilities`, so a config's `capabilities` and `price` must end up there.
 */
function applyDeclared(target: Target, config: TargetConfig): Target {
  withDeclared(target.capabilities, config);
  return target;
}

/**
 * Lays a config's `capabilities` and `price` over capabilities an adapter declared, in place; shared by the live
 * targets and the dry-run plan so both end with the same declaration.
 */
export function withDeclared<C extends Partial<TargetCapabilities>>(capabilities: C, config: TargetConfig): C {
  const declared: Partial<TargetCapabilities> = { ...config.capabilities };
  if (config.price) declared.price = config.price;
  const writable = capabilities as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(declared)) {
    // llama.cpp's context window follows the loaded context (set from contextSize above), so it is left to the adapter.
    if (config.adapter === 'llamacpp' && key === 'contextWindow') continue;
    if (writable[key] !== value) writable[key] = value;
  }
  return capabilities;
}

/** Re-roots an adapter's own `InvalidConfigError` (paths like `baseURL`) at the target (`targets.gpu.baseURL`). */
function rootProblems(name: string, error: unknown): InputProblem[] | undefined {
  if (!InvalidConfigError.isInstance(error)) return undefined;
  return error.problems.map((problem) => ({
    path: problem.path.startsWith('targets.')
      ? problem.path
      : `targets.${name}${problem.path ? `.${problem.path}` : ''}`,
    message: problem.message,
  }));
}

/**
 * Builds one `Target` per configured target with its adapter's descriptor (`parseSettings`, then `create`). Targets
 * are lazy: nothing is
 * loaded or connected until the first request. Throws `InvalidConfigError` listing every problem by path.
 *
 * @example
 * ```ts
 * const targets = await createTargetsFromConfig(await loadConfig('switchyard.config.json'));
 * const router = createRouter({ targets, policy: config.policyInput });
 * ```
 */
export async function createTargetsFromConfig(
  config: Pick<SwitchyardConfig, 'targets' | 'baseDir'>,
  options: CreateTargetsOptions = {},
): Promise<Record<string, Target>> {
  const env = options.env ?? process.env;
  const problems: InputProblem[] = [];
  const targets: Record<string, Target> = {};
  for (const [name, target] of Object.entries(config.targets)) {
    if (options.missingSecrets !== 'omit') {
      for (const reference of secretReferences(name, target)) {
        if (resolveSecret({ env: reference.env }, env) === undefined) {
          problems.push({
            path: reference.path,
            message: `the environment variable ${reference.env} is not set; export it before starting`,
          });
        }
      }
    }
    try {
      const descriptor = adapterDescriptors[target.adapter];
      const factory = (settings: Record<string, unknown>) => descriptor.create(descriptor.parseSettings(settings));
      const context = { baseDir: config.baseDir, env };
      if (target.adapter === 'openai' && Array.isArray(target.baseURL)) {
        // One target per replica URL, spread over by a pool; the router sees one target.
        const replicas: Record<string, Target> = {};
        target.baseURL.forEach((baseURL, index) => {
          const host = new URL(baseURL).host;
          replicas[host in replicas ? `${host}#${index}` : host] = factory({
            // The pool probes a replica it took out every 2 s; the adapter must not answer from a 5 s old result.
            healthCacheMs: 1000,
            ...adapterSettings({ ...target, baseURL }, context),
          });
        });
        targets[name] = applyDeclared(createPoolTarget({ replicas, id: `pool:${name}` }), target);
      } else {
        targets[name] = applyDeclared(factory(adapterSettings(target, context)), target);
      }
    } catch (error) {
      const rooted = rootProblems(name, error);
      if (!rooted) throw error;
      problems.push(...rooted);
    }
  }
  if (problems.length > 0) {
    await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
    throw new InvalidConfigError({ problems });
  }
  return targets;
}
