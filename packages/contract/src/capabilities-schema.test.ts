import { describe, expect, it } from 'vitest';
import { capabilityOverridesSchema, capabilitySettingsSchema, targetPriceSchema } from './index.js';

describe('capability and price schemas', () => {
  it('accepts partial overrides and rejects typos and out-of-range values', () => {
    expect(capabilityOverridesSchema.parse({ contextWindow: 2048, tools: true })).toEqual({
      contextWindow: 2048,
      tools: true,
    });
    expect(capabilityOverridesSchema.safeParse({ contextWindows: 2048 }).success).toBe(false);
    expect(capabilityOverridesSchema.safeParse({ quality: 1.5 }).success).toBe(false);
    expect(capabilityOverridesSchema.safeParse({ countTokens: () => 1 }).success).toBe(false);
  });

  it('lets code-configured adapters pass a tokenizer', () => {
    const countTokens = (text: string) => text.length;
    expect(capabilitySettingsSchema.parse({ countTokens }).countTokens).toBe(countTokens);
    expect(capabilitySettingsSchema.safeParse({ countTokens: 'chars/4' }).success).toBe(false);
  });

  it('requires both prices, non-negative', () => {
    expect(targetPriceSchema.safeParse({ inputPer1M: 0.6, outputPer1M: 0.8 }).success).toBe(true);
    expect(targetPriceSchema.safeParse({ inputPer1M: 0.6 }).success).toBe(false);
    expect(targetPriceSchema.safeParse({ inputPer1M: -1, outputPer1M: 0 }).success).toBe(false);
  });
});
