import type * as z from 'zod/mini';
import type { AdapterConfigHints } from './adapter-config-hints.js';
import type { Locality, Target, TargetCapabilities } from './target.js';

/**
 * What an adapter says about itself, so tools (the gateway's config loader, `switchyard plan`, `doctor`) can validate
 * settings, plan and create targets without knowing the adapter: every adapter package exports one.
 *
 * `capabilities(settings)` must equal what `create(settings).capabilities` declares before the target runs (the
 * adapters compute both with one function): that is what makes a dry-run plan the plan the live router makes.
 * Capabilities a target learns later (a loaded model's context size, an Ollama model's tools) can still change.
 */
export interface AdapterDescriptor<
  Settings = Record<string, unknown>,
  T extends Target = Target,
  Config extends AdapterConfigHints<Settings> = AdapterConfigHints<Settings>,
> {
  /** The name a config uses: `llamacpp`, `openai`, `ollama`, `triton`. */
  readonly name: string;
  readonly locality: Locality;
  /**
   * The settings' strict zod object schema (classic zod or zod/mini), the one `parseSettings` checks with: a config
   * file's target schema (and its JSON Schema) is built from it and `config`.
   */
  readonly settingsSchema: z.core.$ZodObject & { readonly shape: z.core.$ZodShape };
  /** How a config file gives these settings (secrets, paths, replicas, ...); absent: exactly as `settingsSchema`. */
  readonly config?: Config;
  /** Validates settings strictly; throws `InvalidConfigError` naming the field (and the nearest valid key). */
  parseSettings(input: unknown): Settings;
  /**
   * What a target created from these (parsed) settings declares, with no I/O (functions such as `countTokens` left
   * out).
   */
  capabilities(settings: Settings): Omit<TargetCapabilities, 'countTokens'>;
  /** Creates the target (lazy: no model loaded, no connection opened). */
  create(settings: Settings): T;
}
