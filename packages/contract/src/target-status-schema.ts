import { z } from 'zod';
import { unavailableCodes } from './target-status.js';

/** The documented shape of `Target.status()`; the conformance suite checks targets against it. */
export const targetStatusSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready') }),
  z.object({ state: z.literal('loading') }),
  z.object({
    state: z.literal('downloading'),
    progress: z.number().min(0).max(1),
    receivedBytes: z.number().nonnegative().optional(),
    totalBytes: z.number().nonnegative().optional(),
  }),
  z.object({ state: z.literal('unavailable'), code: z.enum(unavailableCodes), reason: z.string().min(1) }),
]);
