import { z } from 'zod';
import { defaultMinConfidence, isKnownPhoneRegion } from '../privacy/detect-pii.js';
import type { PiiKind } from '../privacy/pii-kind.js';
import { piiKinds } from '../privacy/pii-kind.js';

const thermalSchema = z.enum(['nominal', 'fair', 'serious', 'critical']);
const fraction = z.number().min(0).max(1);
/** A target's quality tier: a number in 0..1, or `'small'` (0.3, like an on-device model) / `'large'` (0.8). */
const qualityTier = z.union([fraction, z.enum(['small', 'large']).transform((tier) => (tier === 'small' ? 0.3 : 0.8))]);
const targetList = z.array(z.string().min(1)).min(1, 'expected at least one target name');

const whenSchema = z.strictObject({
  tags: z.array(z.string().min(1)).min(1).optional(),
  privacy: z.enum(['standard', 'private']).optional(),
  promptTokens: z
    .strictObject({ gt: z.number().nonnegative().optional(), lt: z.number().positive().optional() })
    .optional(),
  tools: z.boolean().optional(),
  jsonSchema: z.boolean().optional(),
  battery: z.strictObject({ below: fraction.optional(), charging: z.boolean().optional() }).optional(),
  thermal: z.array(thermalSchema).min(1).optional(),
  online: z.boolean().optional(),
  metered: z.boolean().optional(),
  hour: z.strictObject({ from: z.number().int().min(0).max(23), to: z.number().int().min(0).max(24) }).optional(),
});

const ruleSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    when: whenSchema,
    use: targetList.optional(),
    prefer: targetList.optional(),
    avoid: targetList.optional(),
  })
  .refine((rule) => rule.use !== undefined || rule.prefer !== undefined || rule.avoid !== undefined, {
    message: 'a rule needs at least one of "use", "prefer" or "avoid"',
  });

const periodSchema = z.enum(['hour', 'day', 'month']);

/** The zod schema of a routing policy; {@link parsePolicy} applies it and reports paths rooted at `policy`. */
export const policySchema = z.strictObject({
  mode: z.enum(['local-only', 'prefer-local', 'prefer-remote', 'remote-only', 'auto']).default('prefer-local'),
  privacy: z
    .strictObject({
      /** Run the on-device personal-data detector on every request not already marked private. */
      detectPii: z.boolean().default(true),
      /** Which kinds keep a request on the device; default every kind the detector knows. */
      detect: z
        .array(z.enum(piiKinds as [PiiKind, ...PiiKind[]]))
        .min(1, 'list at least one kind, or set "detectPii": false to switch detection off')
        .default([...piiKinds]),
      /** Findings below this confidence (0..1) are ignored; lower catches more, higher sends more to remote targets. */
      minConfidence: fraction.default(defaultMinConfidence),
      /** ISO 3166-1 alpha-2 regions whose national phone layouts are read first; default the device locale's region. */
      regions: z
        .array(
          z.string().refine(isKnownPhoneRegion, {
            message: 'expected an ISO 3166-1 alpha-2 region code in capitals, such as "DE" or "US"',
          }),
        )
        .optional(),
      onDetected: z.literal('local-only').default('local-only'),
    })
    .prefault({}),
  device: z
    .strictObject({
      minBatteryLevel: fraction.default(0.2),
      maxThermalState: thermalSchema.default('serious'),
      minFreeMemoryBytes: z.number().nonnegative().optional(),
    })
    .prefault({}),
  rules: z.array(ruleSchema).default([]),
  budget: z
    .strictObject({
      maxCostUsdPerRequest: z.number().nonnegative().optional(),
      maxCostUsd: z.strictObject({ amount: z.number().nonnegative(), period: periodSchema }).optional(),
    })
    .prefault({}),
  weights: z
    .strictObject({
      latency: z.number().nonnegative().default(1),
      cost: z.number().nonnegative().default(1),
      quality: z.number().nonnegative().default(1),
    })
    .prefault({}),
  quality: z
    .strictObject({
      threshold: fraction.default(0.6),
      maxRemoteShare: fraction.optional(),
      remoteShareWindow: z.number().int().positive().default(200),
    })
    .prefault({}),
  targets: z
    .record(
      z.string(),
      z.strictObject({
        concurrency: z.number().int().positive().optional(),
        maxQueue: z.number().int().nonnegative().optional(),
        quality: qualityTier.optional(),
        expectedTtftMs: z.number().nonnegative().optional(),
        expectedTokensPerSecond: z.number().positive().optional(),
      }),
    )
    .default({}),
  execution: z
    .strictObject({
      retries: z.number().int().nonnegative().default(1),
      backoff: z
        .strictObject({
          initialMs: z.number().nonnegative().default(200),
          maxMs: z.number().nonnegative().default(5_000),
          factor: z.number().min(1).default(2),
        })
        .prefault({}),
      timeoutMs: z.number().int().positive().optional(),
      firstTokenTimeoutMs: z.number().int().positive().optional(),
      /** After the first token, the longest wait for the next part; a stalled stream fails over. */
      stallTimeoutMs: z.number().int().positive().optional(),
      hedgeAfterMs: z.number().int().nonnegative().optional(),
      /**
       * What `stream()` does when a target fails after text was delivered. `continue` (default): fail over only to a
       * target that can continue the partial answer, else throw `StreamInterruptedError`; never a restart.
       * `restart`: also fail over to targets that cannot continue, with a `failover` part of mode `restart` that tells
       * the consumer to discard the text so far (for UIs that can retract text). `error`: never fail over after the
       * first token. `generate()` shows nothing until the end, so it restarts internally unless this is `error`.
       */
      midStream: z.enum(['continue', 'restart', 'error']).default('continue'),
      circuit: z
        .strictObject({
          failureThreshold: z.number().int().positive().default(5),
          windowMs: z.number().int().positive().default(60_000),
          cooldownMs: z.number().int().positive().default(30_000),
          probeIntervalMs: z.number().int().positive().optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});
