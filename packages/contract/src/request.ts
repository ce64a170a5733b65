import type * as z from 'zod/mini';
import type {
  assistantMessageSchema,
  contentPartSchema,
  generateRequestSchema,
  messageSchema,
  responseFormatSchema,
  routingHintsSchema,
  systemMessageSchema,
  targetCallSchema,
  toolCallSchema,
  toolChoiceSchema,
  toolMessageSchema,
  toolSchema,
  traceContextSchema,
  userMessageSchema,
} from './request-schema.js';

/** A tool call the model asked for; `arguments` is the model's JSON text, unparsed. */
export type ToolCall = z.infer<typeof toolCallSchema>;
/** One part of a multi-part user message: text or an image URL. */
export type ContentPart = z.infer<typeof contentPartSchema>;
export type SystemMessage = z.infer<typeof systemMessageSchema>;
export type UserMessage = z.infer<typeof userMessageSchema>;
export type AssistantMessage = z.infer<typeof assistantMessageSchema>;
export type ToolMessage = z.infer<typeof toolMessageSchema>;
/** A chat message: system, user, assistant (possibly with tool calls) or tool result. */
export type Message = z.infer<typeof messageSchema>;
/** A function the model may call, described by a JSON Schema for its arguments. */
export type Tool = z.infer<typeof toolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
/** Plain text, or output that must match a JSON Schema. */
export type ResponseFormat = z.infer<typeof responseFormatSchema>;
/** Routing hints: privacy, deadline, priority, tags and a cost cap. Targets never see them. */
export type RoutingHints = z.infer<typeof routingHintsSchema>;
/** A request to the router. */
export type GenerateRequest = z.infer<typeof generateRequestSchema>;
/** A request to one target, as the router hands it over. */
export type TargetCall = z.infer<typeof targetCallSchema>;
/** A W3C Trace Context carrier (`traceparent`, optional `tracestate`) as a router hands it to a target. */
export type TraceContext = z.infer<typeof traceContextSchema>;
