import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * Overrides of a target's declared capabilities, as adapters' settings and config files accept them (no functions:
 * the data a JSON config can hold). Unknown keys are rejected, since they are usually typos.
 */
export const capabilityOverridesSchema = z.strictObject({
  contextWindow: positiveInt.optional(),
  maxOutputTokens: positiveInt.optional(),
  tools: z.boolean().optional(),
  jsonSchema: z.boolean().optional(),
  images: z.boolean().optional(),
  continuation: z.boolean().optional(),
  quality: z.number().min(0).max(1).optional(),
});

/** `capabilityOverridesSchema` plus `countTokens`, for adapters configured in code. */
export const capabilitySettingsSchema = capabilityOverridesSchema.extend({
  countTokens: z.custom<(text: string) => number | undefined>((value) => typeof value === 'function').optional(),
});

/** A price in US dollars per million tokens. */
export const targetPriceSchema = z.strictObject({
  inputPer1M: z.number().nonnegative(),
  outputPer1M: z.number().nonnegative(),
});
