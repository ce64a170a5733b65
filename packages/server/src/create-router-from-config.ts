import type { Target } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import type { PolicyInput, Router, SignalSource } from '@switchyard/core';
import { createRouter } from '@switchyard/core';
import type { CreateTargetsOptions } from './create-targets-from-config.js';
import { createTargetsFromConfig } from './create-targets-from-config.js';
import type { SwitchyardConfig } from './load-config.js';

/** Options of {@link createRouterFromConfig}. */
export interface RouterFromConfigOptions extends CreateTargetsOptions {
  /** The device signals to route with. Default: what the config's `signals.source` says (`none` unless `node`). */
  signals?: SignalSource;
  /** Targets to use instead of building them from the config (same names). */
  targets?: Record<string, Target>;
}

/** A router built from a config, and how to free everything that was built for it. */
export interface RouterFromConfig {
  router: Router;
  targets: Record<string, Target>;
  /** Disposes the router, the targets and the signal source it created. */
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

/**
 * Builds the targets a config describes and a router over them with the config's policy.
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
  const targets = options.targets ?? (await createTargetsFromConfig(config, options));
  const ownTargets = options.targets === undefined;
  let signals = options.signals;
  let ownSignals = false;
  try {
    if (!signals && config.signals?.source === 'node') {
      signals = await nodeSignals(config.signals.refreshMs);
      ownSignals = true;
    }
    const policy = config.policyInput as PolicyInput;
    const router = createRouter({ targets, policy, ...(signals ? { signals } : {}) });
    return {
      router,
      targets,
      async dispose() {
        await router.dispose();
        if (ownTargets) await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
        if (ownSignals) await signals?.dispose?.();
      },
    };
  } catch (error) {
    if (ownTargets) await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
    if (ownSignals) await signals?.dispose?.();
    throw error;
  }
}
