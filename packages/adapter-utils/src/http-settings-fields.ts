import { capabilitySettingsSchema, targetPriceSchema } from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import * as z from 'zod/mini';
import { positiveWholeNumberSchema, targetIdSchema } from './settings-fields.js';

// A file of their own, apart from `parseSettings`: these are values built when the module loads, so a page that only
// parses settings (every adapter's first load) does not build them.

/** An undici `Dispatcher` (Agent, Pool, Client), checked by shape so two installed copies of undici both pass. */
export const dispatcherSchema = z.custom<Dispatcher>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).request === 'function',
  'expected an undici Dispatcher (Agent, Pool, Client)',
);

/**
 * The settings every HTTP adapter shares; spread them into an adapter's `z.strictObject({...})` beside its own.
 * `baseURL` and `model` stay with each adapter (required or not, and with its own message). A bad number's message
 * shows it (`timeoutMs: expected a positive whole number of milliseconds, got 0`); a string never.
 */
export const httpSettingsFields = {
  /** The target's id for routing and logs. */
  id: z.optional(targetIdSchema()),
  /** Extra request headers; values of secret-looking names are redacted from errors. */
  headers: z.optional(z.record(z.string(), z.string())),
  /** The undici dispatcher for every request. */
  dispatcher: z.optional(dispatcherSchema),
  /** Deadline for a whole call, in ms. */
  timeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
  /** Deadline for the first token, in ms. */
  firstTokenTimeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
  /** Largest stream event (SSE event or NDJSON line) the reader buffers, in bytes. */
  maxEventBytes: z.optional(positiveWholeNumberSchema('bytes')),
  /** What the model can do; fields left out take the adapter's defaults. */
  capabilities: z.optional(capabilitySettingsSchema),
  /** US dollars per million tokens. */
  price: z.optional(targetPriceSchema),
} as const;
