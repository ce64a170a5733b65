import { isAbsolute, resolve } from 'node:path';
import type { TargetCapabilities } from '@switchyard/contract';
import { descriptorOf } from './adapter-descriptors.js';
import type { SecretConfig } from './secret-schema.js';
import { configHints, isRecordSetting, type TargetConfig } from './target-config-schema.js';

/** Reads a secret's value; `undefined` when it names an unset environment variable. */
export function resolveSecret(secret: SecretConfig | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (secret === undefined) return undefined;
  if (typeof secret === 'string') return secret;
  const value = env[secret.env];
  return value === undefined || value === '' ? undefined : value;
}

/** The config fields of a target other than `adapter`, keyed by plain strings. */
function fieldsOf(config: TargetConfig): Record<string, unknown> {
  return config as unknown as Record<string, unknown>;
}

/** Every environment variable a target's secrets name (its descriptor's `config.secrets`), with the config path of each. */
export function secretReferences(name: string, config: TargetConfig): { path: string; env: string }[] {
  const references: { path: string; env: string }[] = [];
  const add = (path: string, secret: unknown) => {
    if (typeof secret === 'object' && secret !== null && 'env' in secret) {
      references.push({ path, env: (secret as { env: string }).env });
    }
  };
  const descriptor = descriptorOf(config.adapter);
  for (const key of configHints(descriptor).secrets ?? []) {
    const value = fieldsOf(config)[key];
    if (isRecordSetting(descriptor, key)) {
      for (const [entry, secret] of Object.entries(value ?? {})) add(`targets.${name}.${key}.${entry}`, secret);
    } else {
      add(`targets.${name}.${key}`, value);
    }
  }
  return references;
}

/**
 * The settings an adapter's factory receives for one configured target, made as its descriptor's `config` hints say:
 * secrets read from `env` (an unset variable leaves the setting out), relative paths resolved against `baseDir`,
 * settings defaulted from the declared capabilities, the shared `capabilities` and `price` passed on when the adapter
 * takes them, and the `settings` object last. No switch on the adapter: every adapter goes through here.
 */
export function targetSettings(
  config: TargetConfig,
  context: { baseDir: string; env: NodeJS.ProcessEnv },
): Record<string, unknown> {
  const descriptor = descriptorOf(config.adapter);
  const hints = configHints(descriptor);
  const accepts = (key: string) => key in descriptor.settingsSchema.shape;
  const { adapter: _adapter, capabilities, price, settings: extra, ...fields } = fieldsOf(config);
  const settings: Record<string, unknown> = {};
  const declared = (capabilities ?? {}) as Partial<TargetCapabilities>;
  for (const [setting, capability] of Object.entries(hints.fromCapabilities ?? {})) {
    if (capability !== undefined && declared[capability] !== undefined) settings[setting] = declared[capability];
  }
  if (capabilities !== undefined && accepts('capabilities')) settings.capabilities = capabilities;
  if (price !== undefined && accepts('price')) settings.price = price;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (hints.secrets?.includes(key)) {
      const resolved = isRecordSetting(descriptor, key)
        ? Object.fromEntries(
            Object.entries(value as Record<string, SecretConfig>).flatMap(([entry, secret]) => {
              const text = resolveSecret(secret as SecretConfig, context.env);
              return text === undefined ? [] : [[entry, text]];
            }),
          )
        : resolveSecret(value as SecretConfig, context.env);
      if (resolved !== undefined) settings[key] = resolved;
    } else if (hints.paths?.includes(key) && typeof value === 'string' && !isAbsolute(value)) {
      settings[key] = resolve(context.baseDir, value);
    } else {
      settings[key] = value;
    }
  }
  return { ...settings, ...(extra as Record<string, unknown> | undefined) };
}

/**
 * Lays a config's `capabilities` and `price` over capabilities an adapter declared, in place; shared by the live
 * targets and the dry-run plan so both end with the same declaration. A capability the adapter computes from a
 * setting (its descriptor's `config.fromCapabilities`, e.g. llama.cpp's context window from `contextSize`) is left to
 * the adapter.
 */
export function withDeclared<C extends Partial<TargetCapabilities>>(capabilities: C, config: TargetConfig): C {
  const owned = new Set(Object.values(configHints(descriptorOf(config.adapter)).fromCapabilities ?? {}));
  const declared: Partial<TargetCapabilities> = { ...config.capabilities };
  if (config.price) declared.price = config.price;
  const writable = capabilities as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(declared)) {
    if (owned.has(key as keyof TargetCapabilities)) continue;
    if (writable[key] !== value) writable[key] = value;
  }
  return capabilities;
}
