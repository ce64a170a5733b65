import type { AdapterConfigHints } from '@switchyard/contract';
import { capabilityOverridesSchema, targetPriceSchema } from '@switchyard/contract';
import { z } from 'zod';
import { type AdapterName, type AnyDescriptor, adapterDescriptors } from './adapter-descriptors.js';
import { type SecretConfig, secretSchema } from './secret-schema.js';

/** The fields every target accepts, whatever its adapter: the config's part, laid over what the adapter declares. */
const sharedTargetFields = {
  /** Overrides of the adapter's declared capabilities (the router plans with these). */
  capabilities: z.optional(capabilityOverridesSchema),
  /** US dollars per million tokens; absent means free. */
  price: z.optional(targetPriceSchema),
  /** Further settings handed to the adapter's factory as they are (checked by the adapter's own schema). */
  settings: z.record(z.string(), z.unknown()).optional(),
};

/** What a config may write for every target beside its adapter's settings. */
export type SharedTargetConfig = z.input<z.ZodObject<typeof sharedTargetFields>>;

type Listed<Hints, Field extends string> = Hints extends { readonly [F in Field]: readonly (infer Key)[] }
  ? Key
  : never;
type ReplicaSetting<Hints> = Hints extends { readonly replicas: { readonly setting: infer Key } } ? Key : never;
type SecretValue<Value> = Value extends Record<string, string> ? Record<string, SecretConfig> : SecretConfig;
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * One target of a config for an adapter: its settings as the descriptor's `config` hints say a file gives them (code-only
 * settings left out, secrets as `{ "env": "NAME" }` or inline, a replica setting as a value or a list), plus the shared
 * fields and the adapter's name.
 */
export type TargetConfigFor<Name extends string, Settings, Hints> = Flatten<
  { adapter: Name } & SharedTargetConfig & {
      [K in keyof Settings as K extends Listed<Hints, 'codeOnly'> | keyof SharedTargetConfig
        ? never
        : K]: K extends Listed<Hints, 'secrets'>
        ? SecretValue<NonNullable<Settings[K]>>
        : K extends ReplicaSetting<Hints>
          ? Settings[K] | NonNullable<Settings[K]>[]
          : Settings[K];
    }
>;

type Descriptors = typeof adapterDescriptors;
type SettingsOf<D> = D extends { parseSettings(input: unknown): infer Settings } ? Settings : never;
type HintsOf<D> = D extends { readonly config?: infer Hints } ? NonNullable<Hints> : never;

/** A configured target: for each adapter, what {@link TargetConfigFor} says its descriptor accepts. */
export type TargetConfig = {
  [Name in AdapterName]: TargetConfigFor<Name, SettingsOf<Descriptors[Name]>, HintsOf<Descriptors[Name]>>;
}[AdapterName];

/** The hints of a descriptor, keyed by plain strings (what the generic config code reads). */
export function configHints(descriptor: AnyDescriptor): AdapterConfigHints<Record<string, unknown>> {
  return descriptor.config ?? {};
}

interface WrapperDef {
  type?: string;
  innerType?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { def: WrapperDef }).def;

/** Whether an adapter's setting is a record (`headers`: one secret per value) rather than one value. */
export function isRecordSetting(descriptor: AnyDescriptor, key: string): boolean {
  const schema = descriptor.settingsSchema.shape[key] as z.ZodType | undefined;
  if (schema === undefined) return false;
  const def = defOf(schema);
  return (def.type === 'optional' && def.innerType ? defOf(def.innerType) : def).type === 'record';
}

/** A config's schema for one setting: as the adapter checks it, a secret as `secretSchema`, replicas as a list too. */
function configSettingSchema(key: string, schema: z.ZodType, hints: AdapterConfigHints<Record<string, unknown>>) {
  const def = defOf(schema);
  const optional = def.type === 'optional';
  const inner = optional && def.innerType ? def.innerType : schema;
  let result: z.ZodType = schema;
  if (hints.secrets?.includes(key)) {
    result = defOf(inner).type === 'record' ? z.record(z.string(), secretSchema) : secretSchema;
  } else if (hints.replicas?.setting === key) {
    result = z.union([inner, z.array(inner).min(1, 'expected at least one value')]);
  } else {
    return schema;
  }
  return optional ? result.optional() : result;
}

/**
 * The schema of one config target for an adapter, built from its descriptor: the adapter's own settings schema (its
 * refinements run when the config is loaded, through `parseSettings`) reshaped by its `config` hints, plus the shared
 * fields. Strict: an unknown key is an error that names the nearest valid one.
 */
export function targetConfigSchemaFor(name: string, descriptor: AnyDescriptor): z.ZodObject {
  const hints = configHints(descriptor);
  const shape: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(descriptor.settingsSchema.shape as Record<string, z.ZodType>)) {
    if (key in sharedTargetFields || hints.codeOnly?.includes(key)) continue;
    shape[key] = configSettingSchema(key, schema, hints);
  }
  return z.strictObject({ adapter: z.literal(name), ...shape, ...sharedTargetFields });
}

/** Each adapter's config target schema, by the name a config uses. */
export const targetConfigSchemas = Object.fromEntries(
  Object.entries(adapterDescriptors).map(([name, descriptor]) => [name, targetConfigSchemaFor(name, descriptor)]),
) as Record<AdapterName, z.ZodObject>;

/**
 * One configured target, whichever adapter it names (`adapter` picks the schema). Typed as {@link TargetConfig}, which
 * the descriptors' settings types and hints give; the schema is built from the same descriptors at run time.
 */
export const targetConfigSchema = z.discriminatedUnion(
  'adapter',
  Object.values(targetConfigSchemas) as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<TargetConfig, TargetConfig>;
