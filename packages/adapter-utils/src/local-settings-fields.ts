import * as z from 'zod/mini';
import { positiveWholeNumberSchema, qualitySchema, targetIdSchema } from './settings-fields.js';

/**
 * The settings every local target shares (a model in the page, the browser's or the machine's own); spread them into an
 * adapter's `z.strictObject({...})` beside its own, as `httpSettingsFields` is for HTTP adapters. Each is optional;
 * the defaults (`id`, the output cap) stay with each adapter, and so do the context size's name and meaning.
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ modelUrl: z.string(), ...localSettingsFields });
 * ```
 */
export const localSettingsFields = {
  /** The target's id for routing and logs: a non-empty string. */
  id: z.optional(targetIdSchema()),
  /** Cap on output tokens per call: a positive whole number. */
  maxOutputTokens: z.optional(positiveWholeNumberSchema('tokens')),
  /** Relative quality 0..1 for quality-aware routing. */
  quality: z.optional(qualitySchema()),
} as const;
