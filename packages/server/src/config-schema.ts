import { longestTimerMessage, longestTimerMs } from '@switchyard/contract';
import { z } from 'zod';
import { allowedHostProblem } from './host-policy.js';
import { allowedOriginProblem } from './origin-policy.js';
import { secretSchema } from './secret-schema.js';
import { targetConfigSchema } from './target-config-schema.js';

export type { AdapterName } from './adapter-descriptors.js';
export type { SecretConfig } from './secret-schema.js';
export { secretSchema } from './secret-schema.js';
export type { TargetConfig } from './target-config-schema.js';

const positiveInt = z.number().int().positive();
/** Milliseconds a Node timer can wait: a longer one fires at once (a refresh would run every millisecond). */
const timerMs = positiveInt.max(longestTimerMs, longestTimerMessage);

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

/** A list of strings, each checked by `problemOf` (whose message names the fix); `expected` is for a non-string. */
function checkedStrings(expected: string, problemOf: (entry: string) => string | undefined) {
  return z.array(
    z.string(expected).superRefine((entry, context) => {
      const message = problemOf(entry);
      if (message !== undefined) context.addIssue({ code: 'custom', message });
    }),
  );
}

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
      refreshMs: timerMs.optional(),
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
      headersTimeoutMs: timerMs.optional(),
      maxConnectionsPerAddress: positiveInt.optional(),
      /**
       * Web origins whose pages may call the gateway from a browser (CORS), e.g. `["https://app.example.com"]`, or
       * `["*"]` for every origin; requests from other origins are refused with 403 (see `GatewayOptions.allowedOrigins`).
       */
      allowedOrigins: checkedStrings(
        'expected an origin string, e.g. "https://app.example.com"',
        allowedOriginProblem,
      ).optional(),
      /**
       * Host names, besides `localhost`, `*.localhost` and IP addresses, under which the gateway answers on a loopback
       * connection, e.g. `["gateway.test"]` or `[".example.com"]` (the name and its subdomains), or `["*"]` to switch
       * the check off; other `Host` headers are refused with 403 (see `GatewayOptions.allowedHosts`).
       */
      allowedHosts: checkedStrings('expected a host name, e.g. "gateway.test"', allowedHostProblem).optional(),
      /** `GET /metrics` without the bearer token (default false: the same auth as the API). */
      metricsPublic: z.boolean('expected true or false').optional(),
      /** `text` (default) or `json` (pino); `--log-format` wins. */
      logFormat: z.enum(['text', 'json'], 'expected "text" or "json"').optional(),
    })
    .optional(),
});

export type StoreConfig = z.infer<typeof storeConfigSchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
