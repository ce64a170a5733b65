import { capabilityOverridesSchema, targetPriceSchema } from '@switchyard/contract';
import { z } from 'zod';

/**
 * A secret: read from an environment variable (`{ "env": "GPU_API_KEY" }`, preferred) or written inline. Either
 * way it is never printed: not in logs, errors, `/health` or `plan` output.
 */
export const secretSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }),
  z.string().min(1, 'expected a non-empty string or { "env": "NAME" }'),
]);

const urlMessage = 'expected a URL';
const httpUrl = z
  .string(urlMessage)
  .refine(
    (value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value),
    `${urlMessage} like http://127.0.0.1:8000/v1`,
  );
const positiveInt = z.number().int().positive();

const capabilitiesSchema = capabilityOverridesSchema;
const priceSchema = targetPriceSchema;

/** Fields every target accepts, whatever its adapter. */
const commonFields = {
  /** Overrides of the adapter's declared capabilities (the router plans with these). */
  capabilities: capabilitiesSchema.optional(),
  /** US dollars per million tokens; absent means free. */
  price: priceSchema.optional(),
  /** Further settings handed to the adapter's factory as they are, for options this schema does not list. */
  settings: z.record(z.string(), z.unknown()).optional(),
};

const llamaCppTargetSchema = z
  .strictObject({
    adapter: z.literal('llamacpp'),
    /** A GGUF file; relative paths are resolved against the config file's folder. */
    modelPath: z.string().min(1).optional(),
    /** Where to download the model from when `modelPath` is absent (see `switchyard models pull`). */
    modelUri: z.string().min(1).optional(),
    contextSize: positiveInt.optional(),
    threads: positiveInt.optional(),
    /** `"auto"` uses a GPU build when one is installed; `false` forces the CPU. */
    gpu: z.union([z.literal('auto'), z.literal(false)]).optional(),
    sequences: positiveInt.optional(),
    maxQueue: z.number().int().nonnegative().optional(),
    ...commonFields,
  })
  .refine((target) => target.modelPath !== undefined || target.modelUri !== undefined, {
    message: 'expected "modelPath" (a GGUF file) or "modelUri"',
    path: ['modelPath'],
  });

const openAITargetSchema = z.strictObject({
  adapter: z.literal('openai'),
  /**
   * The endpoint, or several equal replicas of it: a list makes one pool target (least requests in flight weighted
   * by time to first token, per-replica health, conversations kept on one replica).
   */
  baseURL: z.union([httpUrl, z.array(httpUrl).min(1, 'expected at least one URL')]),
  model: z.string('expected the model name the server serves').min(1),
  apiKey: secretSchema.optional(),
  headers: z.record(z.string(), secretSchema).optional(),
  timeoutMs: positiveInt.optional(),
  firstTokenTimeoutMs: positiveInt.optional(),
  ...commonFields,
});

const ollamaTargetSchema = z.strictObject({
  adapter: z.literal('ollama'),
  model: z.string('expected the Ollama model name, e.g. "llama3.2:1b"').min(1),
  baseURL: httpUrl.optional(),
  ...commonFields,
});

const tritonTargetSchema = z.strictObject({
  adapter: z.literal('triton'),
  baseURL: httpUrl,
  model: z.string('expected the Triton model name').min(1),
  chatTemplate: z.string().optional(),
  ...commonFields,
});

export const targetConfigSchema = z.discriminatedUnion('adapter', [
  llamaCppTargetSchema,
  openAITargetSchema,
  ollamaTargetSchema,
  tritonTargetSchema,
]);

const targetName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const redisUrl = z
  .string('expected a redis:// or rediss:// URL')
  .refine(
    (value) => /^rediss?:\/\/[^/]/.test(value) && URL.canParse(value),
    'expected a URL like redis://127.0.0.1:6379',
  );

/**
 * Where shared state (budget holds, circuits) lives: `memory` (this process, the default) or `redis`, which replicas of
 * `switchyard serve` pointed at the same Redis share. Exactly one of `url`, `cluster`, `sentinel` for Redis.
 */
export const storeConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z
    .strictObject({
      type: z.literal('redis'),
      /** A standalone server; may carry a password, so it may come from the environment (`{ "env": "REDIS_URL" }`). */
      url: secretSchema.optional(),
      cluster: z.strictObject({ rootNodes: z.array(redisUrl).min(1), password: secretSchema.optional() }).optional(),
      sentinel: z
        .strictObject({
          name: z.string().min(1),
          sentinels: z
            .array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65_535) }))
            .min(1),
          password: secretSchema.optional(),
        })
        .optional(),
      keyPrefix: z.string().min(1).optional(),
    })
    .superRefine((store, context) => {
      const shapes = [store.url, store.cluster, store.sentinel].filter((shape) => shape !== undefined).length;
      if (shapes !== 1) {
        context.addIssue({
          code: 'custom',
          message:
            'expected exactly one of url, cluster or sentinel, e.g. { "type": "redis", "url": "redis://127.0.0.1:6379" }',
        });
      }
    }),
]);

/**
 * One API key of `gateway.keys`: its SHA-256 (`sha256`, what `hashApiKey` prints) or the key itself from the environment
 * (`key: { "env": "TEAM_A_KEY" }`, hashed when the config is loaded), and optional limits.
 */
export const apiKeySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a name of letters, digits, "_", "-" or "."'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters: the SHA-256 of the key')
      .optional(),
    key: secretSchema.optional(),
    limits: z
      .strictObject({
        requestsPerMinute: positiveInt.optional(),
        tokensPerMinute: positiveInt.optional(),
        spendPerDayUsd: z.number().positive().optional(),
      })
      .optional(),
  })
  .refine((entry) => (entry.sha256 === undefined) !== (entry.key === undefined), {
    message: 'expected exactly one of sha256 or key, e.g. { "name": "team-a", "key": { "env": "TEAM_A_KEY" } }',
  });

/** The whole `switchyard.config.json`. The policy is validated by `@switchyard/core`'s `parsePolicy`. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  targets: z.record(z.string(), targetConfigSchema).superRefine((targets, context) => {
    const names = Object.keys(targets);
    if (names.length === 0) context.addIssue({ code: 'custom', message: 'expected at least one target' });
    for (const name of names) {
      if (!targetName.test(name)) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: 'expected a target name of letters, digits, "_", "-" or "." (at most 64)',
        });
      }
    }
  }),
  policy: z.unknown().optional(),
  /** Where `serve` reads device signals from: `node` (battery, thermal, memory, network) or `none`. */
  signals: z
    .strictObject({
      source: z.enum(['node', 'none']).optional(),
      refreshMs: positiveInt.optional(),
    })
    .optional(),
  store: storeConfigSchema.optional(),
  /** Defaults for `switchyard serve`; command-line flags win. */
  gateway: z
    .strictObject({
      port: z.number().int().min(0).max(65_535).optional(),
      host: z.string().min(1).optional(),
      authToken: secretSchema.optional(),
      bodyLimitBytes: positiveInt.optional(),
      keys: z.array(apiKeySchema).optional(),
      headersTimeoutMs: positiveInt.optional(),
      maxConnectionsPerAddress: positiveInt.optional(),
      /** `GET /metrics` without the bearer token (default false: the same auth as the API). */
      metricsPublic: z.boolean('expected true or false').optional(),
      /** `text` (default) or `json` (pino); `--log-format` wins. */
      logFormat: z.enum(['text', 'json'], 'expected "text" or "json"').optional(),
    })
    .optional(),
});

export type SecretConfig = z.infer<typeof secretSchema>;
export type StoreConfig = z.infer<typeof storeConfigSchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
export type TargetConfig = z.infer<typeof targetConfigSchema>;
export type AdapterName = TargetConfig['adapter'];
export type CapabilitiesConfig = z.infer<typeof capabilitiesSchema>;
