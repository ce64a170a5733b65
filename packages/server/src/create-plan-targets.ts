import type { Target, TargetCapabilities, TargetStatus } from '@switchyard/contract';
import { TargetUnavailableError } from '@switchyard/contract';
import { descriptorOf } from './adapter-descriptors.js';
import { replicaSettings } from './create-targets-from-config.js';
import type { SwitchyardConfig } from './load-config.js';
import type { TargetConfig } from './target-config-schema.js';
import { withDeclared } from './target-settings.js';

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

/**
 * The capabilities the router plans with: what the adapter's descriptor says a target made from this config declares
 * (the same function the adapter's constructor uses), with the config's `capabilities` and `price` laid over them as
 * `createTargetsFromConfig` lays them over the live target. No adapter runs: no file read, no socket. Secrets whose
 * variables are unset are left out (they change no capability).
 */
export function declaredCapabilities(
  config: TargetConfig,
  context: { baseDir?: string; env?: NodeJS.ProcessEnv } = {},
): TargetCapabilities {
  const descriptor = descriptorOf(config.adapter);
  // A pool of replicas declares what its first replica does (they are equal by definition).
  const { settings } = replicaSettings(config, { baseDir: context.baseDir ?? process.cwd(), env: context.env ?? {} });
  return withDeclared({ ...descriptor.capabilities(descriptor.parseSettings(settings)) }, config);
}

function describeTarget(
  name: string,
  config: TargetConfig,
  state: PlanTargetStatus,
  context: { baseDir?: string },
): Target {
  const status = toStatus(state);
  const refuse = (): never => {
    throw new TargetUnavailableError({ target: name, reason: 'this is a plan-only descriptor; it never runs' });
  };
  return {
    specificationVersion: 'v1',
    id: `${config.adapter}:${'model' in config ? config.model : name}`,
    locality: descriptorOf(config.adapter).locality,
    capabilities: declaredCapabilities(config, context),
    status: () => status,
    generate: async () => refuse(),
    stream: () => ({
      [Symbol.asyncIterator]: () => ({ next: async () => refuse() }),
    }),
  };
}

/**
 * Targets for a dry run: each one carries the capabilities its adapter's descriptor and the config declare and
 * the status the signals file gives it (default `ready`), and refuses to run. Building them imports no adapter,
 * loads no model and opens no socket, so `switchyard plan` is pure.
 */
export function createPlanTargets(
  config: Pick<SwitchyardConfig, 'targets'> & { baseDir?: string },
  statuses: Record<string, { status?: PlanTargetStatus }> = {},
): Record<string, Target> {
  return Object.fromEntries(
    Object.entries(config.targets).map(([name, target]) => [
      name,
      describeTarget(name, target, statuses[name]?.status ?? 'ready', { baseDir: config.baseDir }),
    ]),
  );
}
