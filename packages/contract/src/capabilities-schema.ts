import * as z from 'zod/mini';

const positiveInt = () => z.number().check(z.int(), z.positive());

/**
 * Overrides of a target's declared capabilities, as adapters' settings and config files accept them (no functions:
 * the data a JSON config can hold). Unknown keys are rejected, since they are usually typos.
 */
export const capabilityOverridesSchema = z.strictObject({
  contextWindow: z.optional(positiveInt()),
  maxOutputTokens: z.optional(positiveInt()),
  tools: z.optional(z.boolean()),
  jsonSchema: z.optional(z.boolean()),
  images: z.optional(z.boolean()),
  continuation: z.optional(z.boolean()),
  quality: z.optional(z.number().check(z.gte(0), z.lte(1))),
});

/** `capabilityOverridesSchema` plus `countTokens`, for adapters configured in code. */
export const capabilitySettingsSchema = z.extend(capabilityOverridesSchema, {
  countTokens: z.optional(z.custom<(text: string) => number | undefined>((value) => typeof value === 'function')),
});

/** A price in US dollars per million tokens. */
export const targetPriceSchema = z.strictObject({
  inputPer1M: z.number().check(z.nonnegative()),
  outputPer1M: z.number().check(z.nonnegative()),
});
