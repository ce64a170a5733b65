import * as z from 'zod/mini';
import { unavailableCodes } from './target-status.js';

/** The documented shape of `Target.status()`; the conformance suite checks targets against it. */
export const targetStatusSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready') }),
  z.object({ state: z.literal('loading') }),
  z.object({
    state: z.literal('downloading'),
    progress: z.number().check(z.gte(0), z.lte(1)),
    receivedBytes: z.optional(z.number().check(z.nonnegative())),
    totalBytes: z.optional(z.number().check(z.nonnegative())),
  }),
  z.object({
    state: z.literal('unavailable'),
    code: z.enum(unavailableCodes),
    reason: z.string().check(z.minLength(1)),
  }),
]);
