import { longestTimerMessage, longestTimerMs } from '@switchyard/contract';
import * as z from 'zod/mini';
import { defaultMinConfidence } from '../privacy/default-min-confidence.js';
import { isSupportedCountry } from '../privacy/phone-numbers.js';
import type { PiiKind } from '../privacy/pii-kind.js';
import { piiKinds } from '../privacy/pii-kind.js';

const thermalSchema = z.enum(['nominal', 'fair', 'serious', 'critical']);
const fraction = () => z.number().check(z.gte(0), z.lte(1));
/** A target's quality tier: a number in 0..1, or `'small'` (0.3, like an on-device model) / `'large'` (0.8). */
const qualityTier = z.union([
  fraction(),
  z.pipe(
    z.enum(['small', 'large']),
    z.transform((tier) => (tier === 'small' ? 0.3 : 0.8)),
  ),
]);
const nonEmptyString = () => z.string().check(z.minLength(1));
const nonnegative = () => z.number().check(z.nonnegative());
const positive = () => z.number().check(z.positive());
const positiveInt = () => z.number().check(z.int(), z.positive());
const nonnegativeInt = () => z.number().check(z.int(), z.nonnegative());
const atMostTimer = () => z.lte(longestTimerMs, longestTimerMessage);
const timer = (zero?: true) => z.number().check(z.int(), zero ? z.nonnegative() : z.positive(), atMostTimer());
/**
 * A breaker keeps the time of each failure inside its window until `failureThreshold` of them open it, so a huge
 * threshold (once the only way to switch breaking off) cost memory and a scan per failure; `enabled: false` says it.
 */
const mostCircuitFailures = 1_000;
/** Retries per target; each waits up to `backoff.maxMs`, so more would stall a request rather than rescue it. */
const mostRetries = 10;
const targetList = () => z.array(nonEmptyString()).check(z.minLength(1, 'expected at least one target name'));

const whenSchema = z.strictObject({
  tags: z.optional(z.array(nonEmptyString()).check(z.minLength(1))),
  privacy: z.optional(z.enum(['standard', 'private'])),
  promptTokens: z.optional(z.strictObject({ gt: z.optional(nonnegative()), lt: z.optional(positive()) })),
  tools: z.optional(z.boolean()),
  jsonSchema: z.optional(z.boolean()),
  battery: z.optional(z.strictObject({ below: z.optional(fraction()), charging: z.optional(z.boolean()) })),
  thermal: z.optional(z.array(thermalSchema).check(z.minLength(1))),
  online: z.optional(z.boolean()),
  metered: z.optional(z.boolean()),
  hour: z.optional(
    z.strictObject({
      from: z.number().check(z.int(), z.gte(0), z.lte(23)),
      to: z.number().check(z.int(), z.gte(0), z.lte(24)),
    }),
  ),
});

const ruleSchema = z
  .strictObject({
    name: z.optional(nonEmptyString()),
    when: whenSchema,
    use: z.optional(targetList()),
    prefer: z.optional(targetList()),
    avoid: z.optional(targetList()),
  })
  .check(
    z.refine((rule) => rule.use !== undefined || rule.prefer !== undefined || rule.avoid !== undefined, {
      message: 'a rule needs at least one of "use", "prefer" or "avoid"',
    }),
  );

const periodSchema = z.enum(['hour', 'day', 'month']);

/**
 * The zod schema of a routing policy (zod/mini, so a page's bundle keeps only what it uses; classic zod composes it,
 * as the server's config schema does); {@link parsePolicy} applies it and reports paths rooted at `policy`.
 */
export const policySchema = z.strictObject({
  mode: z._default(z.enum(['local-only', 'prefer-local', 'prefer-remote', 'remote-only', 'auto']), 'prefer-local'),
  privacy: z.prefault(
    z.strictObject({
      /** Run the on-device personal-data detector on every request not already marked private. */
      detectPii: z._default(z.boolean(), true),
      /** Which kinds keep a request on the device; default every kind the detector knows. */
      detect: z._default(
        z
          .array(z.enum(piiKinds as [PiiKind, ...PiiKind[]]))
          .check(z.minLength(1, 'list at least one kind, or set "detectPii": false to switch detection off')),
        () => [...piiKinds],
      ),
      /** Findings below this confidence (0..1) are ignored; lower catches more, higher sends more to remote targets. */
      minConfidence: z._default(fraction(), defaultMinConfidence),
      /** ISO 3166-1 alpha-2 regions whose national phone layouts are read first; default the device locale's region. */
      regions: z.optional(
        z.array(
          z.string().check(
            z.refine(isSupportedCountry, {
              message: 'expected an ISO 3166-1 alpha-2 region code in capitals, such as "DE" or "US"',
            }),
          ),
        ),
      ),
      onDetected: z._default(z.literal('local-only'), 'local-only'),
    }),
    {},
  ),
  device: z.prefault(
    z.strictObject({
      minBatteryLevel: z._default(fraction(), 0.2),
      maxThermalState: z._default(thermalSchema, 'serious'),
      minFreeMemoryBytes: z.optional(nonnegative()),
    }),
    {},
  ),
  rules: z._default(z.array(ruleSchema), () => []),
  budget: z.prefault(
    z.strictObject({
      maxCostUsdPerRequest: z.optional(nonnegative()),
      maxCostUsd: z.optional(z.strictObject({ amount: nonnegative(), period: periodSchema })),
    }),
    {},
  ),
  weights: z.prefault(
    z.strictObject({
      latency: z._default(nonnegative(), 1),
      cost: z._default(nonnegative(), 1),
      quality: z._default(nonnegative(), 1),
    }),
    {},
  ),
  quality: z.prefault(
    z.strictObject({
      threshold: z._default(fraction(), 0.6),
      maxRemoteShare: z.optional(fraction()),
      // Kept per request, and with a shared store scanned by Redis on every request: a longer window costs each one.
      remoteShareWindow: z._default(
        positiveInt().check(z.lte(10_000, 'expected at most 10000 requests; a longer window barely moves the share')),
        200,
      ),
    }),
    {},
  ),
  targets: z._default(
    z.record(
      z.string(),
      z.strictObject({
        concurrency: z.optional(positiveInt()),
        maxQueue: z.optional(nonnegativeInt()),
        quality: z.optional(qualityTier),
        expectedTtftMs: z.optional(nonnegative()),
        expectedTokensPerSecond: z.optional(positive()),
      }),
    ),
    () => ({}),
  ),
  execution: z.prefault(
    z.strictObject({
      retries: z._default(
        nonnegativeInt().check(
          z.lte(
            mostRetries,
            `expected at most ${mostRetries} retries per target; for more resilience list fallback targets ` +
              '(a rule\'s "use" or "prefer"), which the router tries after a target\'s retries',
          ),
        ),
        1,
      ),
      backoff: z.prefault(
        z.strictObject({
          initialMs: z._default(nonnegative().check(atMostTimer()), 200),
          maxMs: z._default(nonnegative().check(atMostTimer()), 5_000),
          factor: z._default(z.number().check(z.gte(1)), 2),
        }),
        {},
      ),
      timeoutMs: z.optional(timer()),
      firstTokenTimeoutMs: z.optional(timer()),
      /** After the first token, the longest wait for the next part; a stalled stream fails over. */
      stallTimeoutMs: z.optional(timer()),
      hedgeAfterMs: z.optional(timer(true)),
      /**
       * What `stream()` does when a target fails after text was delivered. `continue` (default): fail over only to a
       * target that can continue the partial answer, else throw `StreamInterruptedError`; never a restart.
       * `restart`: also fail over to targets that cannot continue, with a `failover` part of mode `restart` that tells
       * the consumer to discard the text so far (for UIs that can retract text). `error`: never fail over after the
       * first token. `generate()` shows nothing until the end, so it restarts internally unless this is `error`.
       */
      midStream: z._default(z.enum(['continue', 'restart', 'error']), 'continue'),
      circuit: z.prefault(
        z.strictObject({
          /** `false` switches the breaker off: no circuit opens here, and none a peer opens through the shared store. */
          enabled: z._default(z.boolean(), true),
          failureThreshold: z._default(
            positiveInt().check(
              z.lte(
                mostCircuitFailures,
                `expected at most ${mostCircuitFailures}; to never open a circuit, set execution.circuit.enabled: false`,
              ),
            ),
            5,
          ),
          windowMs: z._default(positiveInt(), 60_000),
          cooldownMs: z._default(timer(), 30_000),
          probeIntervalMs: z.optional(timer()),
        }),
        {},
      ),
    }),
    {},
  ),
});
