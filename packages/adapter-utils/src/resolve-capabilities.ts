import type { TargetCapabilities, TargetPrice } from '@switchyard/contract';

/** An adapter's declared defaults: every required capability, plus `continuation` when it can continue a prefix. */
export type CapabilityDefaults = Omit<TargetCapabilities, 'price' | 'countTokens' | 'quality'>;

/**
 * The capabilities a target declares: the adapter's defaults, overridden field by field by the user's settings, with
 * `price` added when set. Pure, so an adapter's descriptor and its live target compute the same answer.
 *
 * @example
 * ```ts
 * resolveCapabilities({ contextWindow: 8192, maxOutputTokens: 4096, tools: true, jsonSchema: true, images: false },
 *   { contextWindow: 131_072 }, { inputPer1M: 0.1, outputPer1M: 0.2 });
 * ```
 */
export function resolveCapabilities(
  defaults: CapabilityDefaults,
  overrides: Partial<Omit<TargetCapabilities, 'price'>> | undefined,
  price?: TargetPrice,
): TargetCapabilities {
  const capabilities: TargetCapabilities = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) (capabilities as unknown as Record<string, unknown>)[key] = value;
  }
  if (price !== undefined) capabilities.price = price;
  return capabilities;
}
