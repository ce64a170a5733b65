import { z } from 'zod';

/** A tool call the model asked for. `arguments` is the JSON text the model produced, unparsed. */
export const toolCallSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

export const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
export const imagePartSchema = z.object({
  type: z.literal('image'),
  /** An `https:` or `data:` URL. */
  url: z.string().min(1),
  mediaType: z.string().optional(),
});
export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);

export const systemMessageSchema = z.object({ role: z.literal('system'), content: z.string() });
export const userMessageSchema = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(contentPartSchema).min(1)]),
});
export const assistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  toolCalls: z.array(toolCallSchema).optional(),
});
export const toolMessageSchema = z.object({
  role: z.literal('tool'),
  toolCallId: z.string().min(1),
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
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-" (the OpenAI tool-name rule)'),
  description: z.string().optional(),
  parameters: jsonSchemaSchema,
});

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('tool'), name: z.string().min(1) }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_schema'), schema: jsonSchemaSchema, name: z.string().optional() }),
]);

export const privacySchema = z.enum(['standard', 'private']);

/** Hints for the router; targets never see them. */
export const routingHintsSchema = z.object({
  /** `private` requests run only on local targets, and fail closed rather than go remote. */
  privacy: privacySchema.optional(),
  /** How long the caller will wait for the whole answer, in milliseconds. */
  deadlineMs: z.number().int().positive().optional(),
  /** Higher runs first in local queues. */
  priority: z.number().int().optional(),
  /** Free-form labels that policy rules can match. */
  tags: z.array(z.string().min(1)).optional(),
  /** The most this one request may cost, in US dollars. */
  maxCostUsd: z.number().nonnegative().optional(),
});

const abortSignalSchema = z.custom<AbortSignal>(
  (value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
  'expected an AbortSignal',
);

const generationFields = {
  messages: z.array(messageSchema).min(1, 'expected at least one message'),
  /** Upper bound on generated tokens. Targets apply their own default cap when absent. */
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  stop: z.array(z.string().min(1)).max(16).optional(),
  seed: z.number().int().optional(),
  tools: z.array(toolSchema).optional(),
  toolChoice: toolChoiceSchema.optional(),
  responseFormat: responseFormatSchema.optional(),
  signal: abortSignalSchema.optional(),
};

/** What an application asks the router for. */
export const generateRequestSchema = z.object({
  ...generationFields,
  routing: routingHintsSchema.optional(),
});

/** A W3C Trace Context carrier: `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`), `tracestate`. */
export const traceContextSchema = z.object({
  traceparent: z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/, 'expected a W3C traceparent'),
  tracestate: z.string().max(512).optional(),
});

/** What the router hands one target: the request without routing hints, plus an optional assistant prefix. */
export const targetCallSchema = z.object({
  ...generationFields,
  /**
   * Text the assistant has already produced (for example on a target that failed mid-stream). Targets whose
   * `capabilities.continuation` is true continue after it and return only the new text.
   */
  assistantPrefix: z.string().optional(),
  /**
   * W3C Trace Context of the router's attempt span, for HTTP targets to send upstream (`traceparent`, `tracestate`)
   * so the server's own traces join the request's. Set by the router only when tracing is on.
   */
  traceContext: traceContextSchema.optional(),
});
