import type { Target, TargetCapabilities, TargetStatus } from '@switchyard/contract';
import { TargetUnavailableError } from '@switchyard/contract';
import { adapters } from './adapters.js';
import type { TargetConfig } from './config-schema.js';
import type { SwitchyardConfig } from './load-config.js';

/** The readiness states a signals file may force. */
export type PlanTargetStatus = 'ready' | 'loading' | 'downloading' | 'unavailable';

function toStatus(state: PlanTargetStatus): TargetStatus {
  switch (state) {
    case 'ready':
      return { state: 'ready' };
    case 'loading':
      return { state: 'loading' };
    case 'downloading':
      return { state: 'downloading', progress: 0 };
    case 'unavailable':
      return { state: 'unavailable', code: 'overridden', reason: 'marked unavailable in the signals file' };
  }
}

/** The capabilities the router plans with: the adapter's defaults, overridden by the config. */
export function declaredCapabilities(config: TargetConfig): TargetCapabilities {
  const defaults = adapters[config.adapter].defaultCapabilities;
  const contextSize = config.adapter === 'llamacpp' ? config.contextSize : undefined;
  return {
    ...defaults,
    ...(contextSize === undefined ? {} : { contextWindow: contextSize }),
    ...config.capabilities,
    ...(config.price === undefined ? {} : { price: config.price }),
  };
}

function describeTarget(name: string, config: TargetConfig, state: PlanTargetStatus): Target {
  const status = toStatus(state);
  const refuse = (): never => {
    throw new TargetUnavailableError({ target: name, reason: 'this is a plan-only descriptor; it never runs' });
  };
  return {
    specificationVersion: 'v1',
    id: `${config.adapter}:${'model' in config ? config.model : name}`,
    locality: adapters[config.adapter].locality,
    capabilities: declaredCapabilities(config),
    status: () => status,
    generate: async () => refuse(),
    stream: () => ({
      [Symbol.asyncIterator]: () => ({ next: async () => refuse() }),
    }),
  };
}

/**
 * Targets for a dry run: each one carries the capabilities declared in the config (or its adapter's defaults) and
 * the status the signals file gives it (default `ready`), and refuses to run. Building them imports no adapter,
 * loads no model and opens no socket, so `switchyard plan` is pure.
 */
export function createPlanTargets(
  config: Pick<SwitchyardConfig, 'targets'>,
  statuses: Record<string, { status?: PlanTargetStatus }> = {},
): Record<string, Target> {
  return Object.fromEntries(
    Object.entries(config.targets).map(([name, target]) => [
      name,
      describeTarget(name, target, statuses[name]?.status ?? 'ready'),
    ]),
  );
}
