import type { ContentPart, GenerateRequest, Message, ResponseFormat, Tool, ToolChoice } from '@switchyard/contract';
import { InvalidRequestError, longestTimerMessage, longestTimerMs, zodIssuesToProblems } from '@switchyard/contract';
import { z } from 'zod';
import { isOrdinaryChatBody } from './ordinary-chat-body.js';

/** The model name that lets the router choose; any other known model name pins the request to that target. */
export const autoModel = 'switchyard/auto';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }),
});
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.object({
    role: z.enum(['system', 'developer']),
    content: z.union([z.string(), z.array(textPart)]),
  }),
  z.object({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart])).min(1)]),
  }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.null(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).optional(),
    tool_calls: z.array(toolCall).nullable().optional(),
  }),
  z.object({
    role: z.literal('tool'),
    tool_call_id: z.string().min(1),
    content: z.union([z.string(), z.array(textPart)]),
  }),
]);

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-" (the OpenAI tool-name rule)'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

/** Switchyard's routing hints; OpenAI clients send them as an extra body field (`extra_body` in Python). */
const routingHints = z.strictObject({
  privacy: z.enum(['standard', 'private']).optional(),
  deadlineMs: z.number().int().positive().max(longestTimerMs, longestTimerMessage).optional(),
  priority: z.number().int().optional(),
  tags: z.array(z.string().min(1)).optional(),
  maxCostUsd: z.number().nonnegative().optional(),
});

// OpenAI fields the targets cannot honour. Each is accepted at its no-op value (clients that send defaults keep
// working) and refused otherwise, naming the fix: ignoring it would change the answer without saying so.
const noLogprobs = 'the gateway does not return log probabilities';
const notPassed = 'the gateway does not pass it to targets, so the answer would ignore it';
const notServed = (what: string, fix: string) => z.null(`${what}: ${fix}`).optional();

/**
 * The chat-completions body the gateway accepts. Unknown top-level fields (`user`, `metadata`, `store`,
 * `service_tier`…) are accepted and ignored, as an OpenAI-compatible server must; the fields that change the answer
 * are checked, and those the targets cannot honour (`logprobs`, penalties, `logit_bias`, audio output, web search,
 * the deprecated `functions`, llama.cpp's and vLLM's output constraints) are refused unless they hold their no-op
 * value.
 */
export const chatCompletionBodySchema = z
  .object({
    model: z.string().min(1).optional(),
    messages: z.array(message).min(1, 'expected at least one message'),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().gt(0).max(1).nullable().optional(),
    stop: z
      .union([z.string().min(1), z.array(z.string().min(1)).max(16)])
      .nullable()
      .optional(),
    seed: z.number().int().nullable().optional(),
    n: z.literal(1, 'the gateway returns exactly one choice: omit n or set it to 1').nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    tools: z.array(tool).nullable().optional(),
    tool_choice: z
      .union([
        z.enum(['auto', 'none', 'required']),
        z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
      ])
      .nullable()
      .optional(),
    response_format: responseFormat.nullable().optional(),
    /** `false`: the gateway answers with at most one tool call (the first). */
    parallel_tool_calls: z.boolean().nullable().optional(),
    logprobs: z.literal(false, `${noLogprobs}: omit logprobs or set it to false`).nullable().optional(),
    top_logprobs: z.literal(0, `${noLogprobs}: omit top_logprobs or set it to 0`).nullable().optional(),
    presence_penalty: z.literal(0, `${notPassed}: omit presence_penalty or set it to 0`).nullable().optional(),
    frequency_penalty: z.literal(0, `${notPassed}: omit frequency_penalty or set it to 0`).nullable().optional(),
    logit_bias: z
      .record(z.string(), z.unknown())
      .refine((bias) => Object.keys(bias).length === 0, `${notPassed}: omit logit_bias or send {}`)
      .nullable()
      .optional(),
    modalities: z
      .array(z.literal('text', 'the gateway answers in text only: omit modalities or send ["text"]'))
      .nullable()
      .optional(),
    audio: notServed('the gateway answers in text only', 'omit audio (and "audio" from modalities)'),
    web_search_options: notServed('web search is not available through the gateway', 'omit web_search_options'),
    functions: notServed(
      'the deprecated functions field is not served',
      'send tools: [{ "type": "function", "function": { "name", "parameters" } }] instead',
    ),
    function_call: notServed('the deprecated function_call field is not served', 'send tool_choice instead'),
    // Output constraints of llama.cpp's server (grammar, json_schema) and vLLM (guided_*): ignoring one would return
    // an answer it does not hold to. (Their sampling knobs, such as top_k or min_p, are ignored like any unknown field.)
    grammar: notServed(notPassed, 'omit grammar; for JSON, send response_format: { "type": "json_schema", … }'),
    json_schema: notServed(
      notPassed,
      'send it as response_format: { "type": "json_schema", "json_schema": { "name", "schema" } }',
    ),
    guided_json: notServed(
      notPassed,
      'send it as response_format: { "type": "json_schema", "json_schema": { "name", "schema" } }',
    ),
    guided_choice: notServed(notPassed, 'send response_format with a json_schema whose schema is { "enum": [...] }'),
    guided_regex: notServed(notPassed, 'omit guided_regex'),
    guided_grammar: notServed(notPassed, 'omit guided_grammar'),
    switchyard: routingHints.optional(),
  })
  .superRefine((body, context) => {
    // As OpenAI's API answers: a tool choice that names or requires a tool needs that tool (a target would otherwise
    // answer in text, or fail, and every target would fail alike).
    const choice = body.tool_choice;
    if (choice == null || choice === 'auto' || choice === 'none') return;
    const names = (body.tools ?? []).map((tool) => tool.function.name);
    if (names.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['tool_choice'],
        message: 'needs tools: send tools, or omit tool_choice',
      });
    } else if (typeof choice === 'object' && !names.includes(choice.function.name)) {
      const listed = names
        .slice(0, 10)
        .map((name) => `"${name}"`)
        .join(', ');
      context.addIssue({
        code: 'custom',
        path: ['tool_choice', 'function', 'name'],
        message: `names no tool in tools: use one of ${listed}`,
      });
    }
  });

export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

/** A chat-completions body turned into a router request, with the transport options beside it. */
export interface TranslatedChatRequest {
  request: GenerateRequest;
  /** The requested model; `switchyard/auto` when absent. */
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** `parallel_tool_calls: false`: answer with at most one tool call. */
  singleToolCall: boolean;
}

function joinText(content: string | Array<{ type: string; text?: string; refusal?: string }>): string {
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? part.refusal ?? '').join('');
}

function toMessage(input: ChatCompletionBody['messages'][number]): Message {
  switch (input.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: joinText(input.content) };
    case 'user': {
      if (typeof input.content === 'string') return { role: 'user', content: input.content };
      const parts: ContentPart[] = input.content.map((part) =>
        part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', url: part.image_url.url },
      );
      return { role: 'user', content: parts };
    }
    case 'assistant': {
      const content = input.content == null ? '' : joinText(input.content);
      if (!input.tool_calls?.length) return { role: 'assistant', content };
      return {
        role: 'assistant',
        content,
        toolCalls: input.tool_calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        })),
      };
    }
    case 'tool':
      return { role: 'tool', toolCallId: input.tool_call_id, content: joinText(input.content) };
  }
}

function toTools(tools: NonNullable<ChatCompletionBody['tools']>): Tool[] {
  return tools.map(({ function: fn }) => ({
    name: fn.name,
    ...(fn.description === undefined ? {} : { description: fn.description }),
    parameters: fn.parameters ?? { type: 'object', properties: {} },
  }));
}

function toToolChoice(choice: NonNullable<ChatCompletionBody['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { type: 'tool', name: choice.function.name };
}

function toResponseFormat(format: NonNullable<ChatCompletionBody['response_format']>): ResponseFormat {
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      // OpenAI's JSON mode: any JSON object, which is the schema `{ type: 'object' }`.
      return { type: 'json_schema', schema: { type: 'object' } };
    case 'json_schema':
      return {
        type: 'json_schema',
        schema: format.json_schema.schema ?? { type: 'object' },
        name: format.json_schema.name,
      };
  }
}

/**
 * Validates an OpenAI chat-completions body and turns it into a router request. Throws `InvalidRequestError` whose
 * problems use the OpenAI field names, e.g. `messages[0].role: expected one of "system", "developer", …`.
 *
 * @example
 * ```ts
 * const { request, stream } = parseChatCompletionBody({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export function parseChatCompletionBody(input: unknown): TranslatedChatRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError({ problems: [{ path: '', message: 'expected a JSON object as the request body' }] });
  }
  // Ordinary bodies skip zod (the hot path under load); anything else, valid or not, is checked and explained by zod.
  if (isOrdinaryChatBody(input)) return translateChatCompletionBody(input);
  const parsed = chatCompletionBodySchema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError({ problems: zodIssuesToProblems(parsed.error.issues) });
  return translateChatCompletionBody(parsed.data);
}

/** Turns a body that passed `chatCompletionBodySchema` (or the ordinary-body fast path) into a router request. */
export function translateChatCompletionBody(body: ChatCompletionBody): TranslatedChatRequest {
  const request: GenerateRequest = { messages: body.messages.map(toMessage) };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.seed != null) request.seed = body.seed;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : [...body.stop];
  if (body.tools?.length) request.tools = toTools(body.tools);
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  if (body.response_format != null) request.responseFormat = toResponseFormat(body.response_format);
  // A copy: on the fast path `body` is the caller's object, not zod's output.
  if (body.switchyard !== undefined) {
    const { tags, ...hints } = body.switchyard;
    request.routing = tags === undefined ? hints : { ...hints, tags: [...tags] };
  }
  return {
    request,
    model: body.model ?? autoModel,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    singleToolCall: body.parallel_tool_calls === false,
  };
}

const requestFieldNames: Record<string, string> = {
  maxTokens: 'max_tokens',
  topP: 'top_p',
  toolChoice: 'tool_choice',
  responseFormat: 'response_format',
  toolCalls: 'tool_calls',
  toolCallId: 'tool_call_id',
  routing: 'switchyard',
};

/** Renames a router-side field path (`routing.deadlineMs`, `messages[1].toolCalls`) to the OpenAI body's names. */
export function toOpenAIFieldPath(path: string): string {
  return path.replace(/[A-Za-z]+/g, (name) => requestFieldNames[name] ?? name);
}
