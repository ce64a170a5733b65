import type { TargetCapabilities } from './target.js';

/** A top-level setting name of an adapter's settings type. */
export type SettingKey<Settings> = keyof Settings & string;

/**
 * How a config file (the gateway's `switchyard.config.json`) gives an adapter's settings, declared as data so the
 * tool that reads the file handles every adapter the same way, with no switch on the adapter's name. A config target
 * is the adapter's settings (its `settingsSchema`) with these differences; everything not listed here is written as
 * the adapter takes it.
 *
 * @example
 * ```ts
 * const openAIConfig = {
 *   secrets: ['apiKey', 'headers'],
 *   codeOnly: ['dispatcher'],
 *   replicas: { setting: 'baseURL', settings: { healthCacheMs: 1000 } },
 * } as const satisfies AdapterConfigHints<OpenAISettings>;
 * ```
 */
export interface AdapterConfigHints<Settings> {
  /**
   * Secret settings: a config may write each as `{ "env": "NAME" }` (read from the environment when targets are
   * created) or inline, and tools never print it. A string setting is one secret; a record of strings (`headers`)
   * holds one secret per value.
   */
  readonly secrets?: readonly SettingKey<Settings>[];
  /** File or folder paths: a relative path in a config is resolved against the config file's folder. */
  readonly paths?: readonly SettingKey<Settings>[];
  /**
   * Settings that default to a capability the config declares, e.g. `{ contextSize: 'contextWindow' }`: the adapter
   * then computes that capability from the setting, so the config's value is not laid over what the target declares.
   */
  readonly fromCapabilities?: { readonly [K in SettingKey<Settings>]?: keyof TargetCapabilities };
  /** Settings a config file cannot hold (a dispatcher, a callback): left out of the config's schema. */
  readonly codeOnly?: readonly SettingKey<Settings>[];
  /**
   * A setting a config may give as a list of equal replicas (`"baseURL": ["http://a/v1", "http://b/v1"]`): one target
   * per value, spread over by one pool target. `settings` are added to each replica's (a pool re-probes a replica it
   * took out every 2 s, so a replica should not answer from an older cached probe).
   */
  readonly replicas?: { readonly setting: SettingKey<Settings>; readonly settings?: Partial<Settings> };
  /**
   * Where the model comes from, for advice when it is missing: the setting holding the model file on disk and the one
   * holding a URI `switchyard models pull` downloads it from.
   */
  readonly model?: { readonly file?: SettingKey<Settings>; readonly downloadUri?: SettingKey<Settings> };
}
