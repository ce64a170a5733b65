// zod/mini: the functional API bundlers can tree-shake (classic zod's methods pull in all of zod, ~100 KB gzip in a
// page). The schemas are the same zod schemas: classic zod composes them and `z.toJSONSchema` reads them.
import * as z from 'zod/mini';
import { longestTimerMessage, longestTimerMs } from './longest-timer.js';

const nonEmptyString = () => z.string().check(z.minLength(1));

/** A tool call the model asked for. `arguments` is the JSON text the model produced, unparsed. */
export const toolCallSchema = z.object({
  id: nonEmptyString(),
  name: nonEmptyString(),
  arguments: z.string(),
});

export const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
export const imagePartSchema = z.object({
  type: z.literal('image'),
  /** An `https:` or `data:` URL. */
  url: nonEmptyString(),
  mediaType: z.optional(z.string()),
});
export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);

export const systemMessageSchema = z.object({ role: z.literal('system'), content: z.string() });
export const userMessageSchema = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(contentPartSchema).check(z.minLength(1))]),
});
export const assistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  toolCalls: z.optional(z.array(toolCallSchema)),
});
export const toolMessageSchema = z.object({
  role: z.literal('tool'),
  toolCallId: nonEmptyString(),
  content: z.string(),
});
export const messageSchema = z.discriminatedUnion('role', [
  systemMessageSchema,
  userMessageSchema,
  assistantMessageSchema,
  toolMessageSchema,
]);

/** A JSON Schema object, passed through to the runtime as is. */
export const jsonSchemaSchema = z.record(z.string(), z.unknown());

export const toolSchema = z.object({
  name: z
    .string()
    .check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-" (the OpenAI tool-name rule)')),
  description: z.optional(z.string()),
  parameters: jsonSchemaSchema,
});

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('tool'), name: nonEmptyString() }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_schema'), schema: jsonSchemaSchema, name: z.optional(z.string()) }),
]);

export const privacySchema = z.enum(['standard', 'private']);

const positiveInt = () => z.number().check(z.int(), z.positive());

/** Hints for the router; targets never see them. */
export const routingHintsSchema = z.object({
  /** `private` requests run only on local targets, and fail closed rather than go remote. */
  privacy: z.optional(privacySchema),
  /** How long the caller will wait for the whole answer, in milliseconds. */
  deadlineMs: z.optional(positiveInt().check(z.lte(longestTimerMs, longestTimerMessage))),
  /** Higher runs first in local queues. */
  priority: z.optional(z.number().check(z.int())),
  /** Free-form labels that policy rules can match. */
  tags: z.optional(z.array(nonEmptyString())),
  /** The most this one request may cost, in US dollars. */
  maxCostUsd: z.optional(z.number().check(z.nonnegative())),
});

const abortSignalSchema = z.custom<AbortSignal>(
  (value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
  'expected an AbortSignal',
);

const generationFields = {
  messages: z.array(messageSchema).check(z.minLength(1, 'expected at least one message')),
  /** Upper bound on generated tokens. Targets apply their own default cap when absent. */
  maxTokens: z.optional(positiveInt()),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  topP: z.optional(z.number().check(z.gt(0), z.lte(1))),
  stop: z.optional(z.array(nonEmptyString()).check(z.maxLength(16))),
  seed: z.optional(z.number().check(z.int())),
  tools: z.optional(z.array(toolSchema)),
  toolChoice: z.optional(toolChoiceSchema),
  responseFormat: z.optional(responseFormatSchema),
  signal: z.optional(abortSignalSchema),
};

/** What an application asks the router for. */
export const generateRequestSchema = z.object({
  ...generationFields,
  routing: z.optional(routingHintsSchema),
});

/** A W3C Trace Context carrier: `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`), `tracestate`. */
export const traceContextSchema = z.object({
  traceparent: z
    .string()
    .check(z.regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/, 'expected a W3C traceparent')),
  tracestate: z.optional(z.string().check(z.maxLength(512))),
});

/** What the router hands one target: the request without routing hints, plus an optional assistant prefix. */
export const targetCallSchema = z.object({
  ...generationFields,
  /**
   * Text the assistant has already produced (for example on a target that failed mid-stream). Targets whose
   * `capabilities.continuation` is true continue after it and return only the new text.
   */
  assistantPrefix: z.optional(z.string()),
  /**
   * W3C Trace Context of the router's attempt span, for HTTP targets to send upstream (`traceparent`, `tracestate`)
   * so the server's own traces join the request's. Set by the router only when tracing is on.
   */
  traceContext: z.optional(traceContextSchema),
});
