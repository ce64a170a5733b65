import { createPoolTarget, parseSettings } from '@switchyard/adapter-utils';
import type { InputProblem, Target } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import * as z from 'zod/mini';
import { descriptorOf } from './adapter-descriptors.js';
import type { SwitchyardConfig } from './load-config.js';
import { configHints, type TargetConfig } from './target-config-schema.js';
import { resolveSecret, secretReferences, targetSettings, withDeclared } from './target-settings.js';

import { unsetVariableMessage } from './unset-variable-message.js';

export { resolveSecret } from './target-settings.js';

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

/** The fields of {@link CreateTargetsOptions}, for the option checks here and in `createRouterFromConfig`. */
export const targetsOptionsFields = {
  env: z.optional(
    z.custom<NodeJS.ProcessEnv>(
      (value) => typeof value === 'object' && value !== null,
      'expected an object like process.env',
    ),
  ),
  missingSecrets: z.optional(z.enum(['error', 'omit'])),
};
// Strict: a misspelt `missingSecret: 'omit'` would otherwise fail on the first unset secret it was meant to allow.
const targetsOptionsSchema = z.strictObject(targetsOptionsFields);

/** Re-roots an adapter's own `InvalidConfigError` (paths like `baseURL`) at the target (`targets.gpu.baseURL`). */
export function rootProblems(name: string, error: unknown): InputProblem[] | undefined {
  if (!InvalidConfigError.isInstance(error)) return undefined;
  return error.problems.map((problem) => ({
    path: problem.path.startsWith('targets.')
      ? problem.path
      : `targets.${name}${problem.path ? `.${problem.path}` : ''}`,
    message: problem.message,
  }));
}

/**
 * The settings of each target one configured target makes: one, or one per replica when its descriptor's replica
 * setting (`config.replicas`, e.g. openai's `baseURL`) lists several, keyed by the replica's host.
 */
export function replicaSettings(
  config: TargetConfig,
  context: { baseDir: string; env: NodeJS.ProcessEnv },
): { settings: Record<string, unknown>; replicas?: Record<string, Record<string, unknown>> } {
  const settings = targetSettings(config, context);
  const replicas = configHints(descriptorOf(config.adapter)).replicas;
  const values = replicas ? settings[replicas.setting] : undefined;
  if (!replicas || !Array.isArray(values)) return { settings };
  const byHost: Record<string, Record<string, unknown>> = {};
  values.forEach((value: unknown, index) => {
    const host = typeof value === 'string' && URL.canParse(value) ? new URL(value).host : String(index);
    byHost[host in byHost ? `${host}#${index}` : host] = {
      ...replicas.settings,
      ...settings,
      [replicas.setting]: value,
    };
  });
  return { settings: { ...settings, [replicas.setting]: values[0] }, replicas: byHost };
}

/** An environment where every variable is set, for checking settings whose secrets need not be read yet. */
const everyVariableSet = new Proxy({}, { get: (_env, key) => (typeof key === 'string' ? 'set' : undefined) });

/**
 * What a configured target's adapter says about the settings it would get (`parseSettings`: its refinements, such as
 * llama.cpp's "modelPath or modelUri", and the `settings` object, which the config's schema takes as it is), rooted at
 * the target. Reads no secret and creates nothing, so `loadConfig` can report these with the file's other problems.
 */
export function targetSettingsProblems(name: string, target: TargetConfig, baseDir: string): InputProblem[] {
  try {
    const descriptor = descriptorOf(target.adapter);
    const { settings, replicas } = replicaSettings(target, { baseDir, env: everyVariableSet });
    for (const each of Object.values(replicas ?? { settings })) descriptor.parseSettings(each);
    return [];
  } catch (error) {
    const rooted = rootProblems(name, error);
    if (!rooted) throw error;
    return rooted;
  }
}

/**
 * Builds one `Target` per configured target with its adapter's descriptor (`parseSettings`, then `create`): a list
 * of replicas makes one pool target. Targets are lazy: nothing is loaded or connected until the first request. Throws
 * `InvalidConfigError` listing every problem by path, an unknown option (`options.missingSecret`: did you mean
 * `missingSecrets`?) included.
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
  parseSettings(targetsOptionsSchema, options, { path: 'options' });
  const env = options.env ?? process.env;
  const problems: InputProblem[] = [];
  const targets: Record<string, Target> = {};
  for (const [name, target] of Object.entries(config.targets)) {
    if (options.missingSecrets !== 'omit') {
      for (const reference of secretReferences(name, target)) {
        if (resolveSecret({ env: reference.env }, env) === undefined) {
          problems.push({
            path: reference.path,
            message: unsetVariableMessage(reference.env, env, 'export it before starting'),
          });
        }
      }
    }
    try {
      const descriptor = descriptorOf(target.adapter);
      const create = (settings: Record<string, unknown>) => descriptor.create(descriptor.parseSettings(settings));
      const { settings, replicas } = replicaSettings(target, { baseDir: config.baseDir, env });
      const created = replicas
        ? // One target per replica, spread over by a pool; the router sees one target.
          createPoolTarget({
            replicas: Object.fromEntries(Object.entries(replicas).map(([host, each]) => [host, create(each)])),
            id: `pool:${name}`,
          })
        : create(settings);
      // The router plans with `target.capabilities`, so the config's `capabilities` and `price` must end up there.
      targets[name] = created;
      withDeclared(created.capabilities, target);
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
