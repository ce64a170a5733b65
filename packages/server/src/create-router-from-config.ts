import { parseSettings } from '@switchyard/adapter-utils';
import type { StateStore, Target } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import type { PolicyInput, Router, RouterOptions, SignalSource } from '@switchyard/core';
import { createRouter } from '@switchyard/core';
import * as z from 'zod/mini';
import type { ApiKey } from './api-key-limits.js';
import { hashApiKey } from './api-key-limits.js';
import type { StoreConfig } from './config-schema.js';
import type { CreateTargetsOptions } from './create-targets-from-config.js';
import { createTargetsFromConfig, resolveSecret, targetsOptionsFields } from './create-targets-from-config.js';
import { difficultyForPolicy } from './difficulty-for-policy.js';
import type { SwitchyardConfig } from './load-config.js';
import { unsetVariableMessage } from './unset-variable-message.js';

/** Options of {@link createRouterFromConfig}. */
export interface RouterFromConfigOptions extends CreateTargetsOptions {
  /** The device signals to route with. Default: what the config's `signals.source` says (`none` unless `node`). */
  signals?: SignalSource;
  /** Targets to use instead of building them from the config (same names). */
  targets?: Record<string, Target>;
  /** A state store to use instead of the one the config's `store` section describes. */
  store?: StateStore;
  /** The router's OpenTelemetry providers (`createRouter`'s `telemetry`), e.g. a `PrometheusRegistry`'s meter provider. */
  telemetry?: RouterOptions['telemetry'];
}

// Strict, so a misspelt option (`signal`, `stores`) is named instead of leaving the config's choice in force; the
// values' shapes are createRouter's to check.
const routerOptionsSchema = z.strictObject({
  ...targetsOptionsFields,
  signals: z.optional(z.unknown()),
  targets: z.optional(z.unknown()),
  store: z.optional(z.unknown()),
  telemetry: z.optional(z.unknown()),
});

/** A router built from a config, and how to free everything that was built for it. */
export interface RouterFromConfig {
  router: Router;
  targets: Record<string, Target>;
  /** The state store the router uses, when the config named one (or one was passed). */
  store: StateStore | undefined;
  /** Disposes the router, the targets, the signal source and the state store it created. */
  dispose(): Promise<void>;
}

async function nodeSignals(refreshMs: number | undefined): Promise<SignalSource> {
  const specifier: string = '@switchyard/signals-node';
  let module: { createNodeSignals?: (options?: { refreshMs?: number }) => SignalSource };
  try {
    module = (await import(specifier)) as typeof module;
  } catch (error) {
    throw new InvalidConfigError({
      problems: [
        {
          path: 'signals.source',
          message: `"node" needs the package @switchyard/signals-node (${error instanceof Error ? error.message.split('\n')[0] : 'not found'}); install it next to @switchyard/server, or use "none"`,
        },
      ],
    });
  }
  if (typeof module.createNodeSignals !== 'function') {
    throw new InvalidConfigError({
      problems: [
        {
          path: 'signals.source',
          message:
            'the installed @switchyard/signals-node does not export createNodeSignals(); install a matching version',
        },
      ],
    });
  }
  return module.createNodeSignals(refreshMs === undefined ? {} : { refreshMs });
}

/** The Redis store a config's `store` section describes (`@switchyard/store-redis`, loaded only when used). */
export async function redisStore(
  config: Extract<StoreConfig, { type: 'redis' }>,
  env: NodeJS.ProcessEnv,
): Promise<StateStore> {
  const secret = (value: Parameters<typeof resolveSecret>[0], path: string): string | undefined => {
    const resolved = resolveSecret(value, env);
    if (value !== undefined && resolved === undefined) {
      throw new InvalidConfigError({
        problems: [
          {
            path,
            message: unsetVariableMessage((value as { env: string }).env, env, 'export it or write the value inline'),
          },
        ],
      });
    }
    return resolved;
  };
  const { createRedisStateStore } = await import('@switchyard/store-redis');
  const keyPrefix = config.keyPrefix === undefined ? {} : { keyPrefix: config.keyPrefix };
  if (config.url !== undefined) return createRedisStateStore({ url: secret(config.url, 'store.url')!, ...keyPrefix });
  if (config.cluster !== undefined) {
    const password = secret(config.cluster.password, 'store.cluster.password');
    return createRedisStateStore({
      cluster: { rootNodes: config.cluster.rootNodes.map((url) => ({ url })), password },
      ...keyPrefix,
    });
  }
  const sentinel = config.sentinel!;
  const password = secret(sentinel.password, 'store.sentinel.password');
  return createRedisStateStore({
    sentinel: { name: sentinel.name, sentinels: sentinel.sentinels, password },
    ...keyPrefix,
  });
}

/**
 * Builds the targets a config describes and a router over them with the config's policy. An unknown option (a typo
 * such as `signal`) is an `InvalidConfigError` naming the option it is probably a typo of.
 *
 * @example
 * ```ts
 * const { router, dispose } = await createRouterFromConfig(await loadConfig('switchyard.config.json'));
 * const result = await router.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 32 });
 * await dispose();
 * ```
 */
export async function createRouterFromConfig(
  config: SwitchyardConfig,
  options: RouterFromConfigOptions = {},
): Promise<RouterFromConfig> {
  parseSettings(routerOptionsSchema, options, { path: 'options' });
  const { env, missingSecrets } = options;
  const targets = options.targets ?? (await createTargetsFromConfig(config, { env, missingSecrets }));
  const ownTargets = options.targets === undefined;
  let signals = options.signals;
  let ownSignals = false;
  let store = options.store;
  let ownStore = false;
  try {
    if (!store && config.store?.type === 'redis') {
      store = await redisStore(config.store, options.env ?? process.env);
      ownStore = true;
    }
    if (!signals && config.signals?.source === 'node') {
      signals = await nodeSignals(config.signals.refreshMs);
      ownSignals = true;
    }
    const policy = config.policyInput as PolicyInput;
    const difficulty = difficultyForPolicy(config.policyInput);
    const router = createRouter({
      targets,
      policy,
      ...(difficulty ? { difficulty } : {}),
      ...(signals ? { signals } : {}),
      ...(store ? { store } : {}),
      ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    });
    return {
      router,
      targets,
      store,
      async dispose() {
        await router.dispose();
        if (ownTargets) await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
        if (ownSignals) await signals?.dispose?.();
        if (ownStore) await store?.close();
      },
    };
  } catch (error) {
    if (ownTargets) await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
    if (ownSignals) await signals?.dispose?.();
    if (ownStore) await store?.close();
    throw error;
  }
}

/**
 * The gateway's API keys from `gateway.keys`, each reduced to its SHA-256: a key read from the environment is hashed
 * here and the plaintext is not kept. An unset variable is an `InvalidConfigError` naming the entry.
 */
export function apiKeysFromConfig(config: SwitchyardConfig, env: NodeJS.ProcessEnv = process.env): ApiKey[] {
  return (config.gateway?.keys ?? []).map((entry, index) => {
    let sha256 = entry.sha256?.toLowerCase();
    if (sha256 === undefined) {
      const key = resolveSecret(entry.key, env);
      if (key === undefined) {
        throw new InvalidConfigError({
          problems: [
            {
              path: `gateway.keys[${index}].key`,
              message: unsetVariableMessage(
                (entry.key as { env: string }).env,
                env,
                "export it or give the key's sha256 instead",
              ),
            },
          ],
        });
      }
      sha256 = hashApiKey(key);
    }
    return { name: entry.name, sha256, ...(entry.limits ? { limits: entry.limits } : {}) };
  });
}
