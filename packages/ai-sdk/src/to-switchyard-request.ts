import type { LanguageModelV4CallOptions, SharedV4Warning } from '@ai-sdk/provider';
import { InvalidArgumentError } from '@ai-sdk/provider';
import type { GenerateRequest, ResponseFormat, RoutingHints, Tool, ToolChoice } from '@switchyard/contract';
import { routingHintsSchema, zodIssuesToProblems } from '@switchyard/contract';
import { z } from 'zod';
import { checkCallOptions } from './check-call-options.js';
import { fromAISDKPrompt } from './from-ai-sdk-prompt.js';

/**
 * Per-call options under `providerOptions.switchyard`: the router's hints (privacy, deadline, priority, tags, cost
 * cap) and an optional list of target names the call may use.
 */
export const switchyardCallOptionsSchema = z.object({
  ...routingHintsSchema.shape,
  /** Consider only these targets (names given to `createRouter`). */
  targets: z.array(z.string().min(1)).min(1).optional(),
});

/** Per-call options of a Switchyard model, given as `providerOptions: { switchyard: { … } }`. */
export type SwitchyardCallOptions = z.infer<typeof switchyardCallOptionsSchema>;

/** The router request built from one AI SDK call, with what the router cannot honour listed as warnings. */
export interface ConvertedCall {
  request: GenerateRequest;
  targets: string[] | undefined;
  warnings: SharedV4Warning[];
  /** Where the request's messages and tools came from in the call, to name a bad field as the caller wrote it. */
  promptIndexOf: number[];
  toolIndexOf: number[];
}

const unsupportedSettings = ['topK', 'presencePenalty', 'frequencyPenalty'] as const;

function readCallOptions(options: LanguageModelV4CallOptions): SwitchyardCallOptions {
  const raw = options.providerOptions?.switchyard;
  if (raw === undefined) return {};
  const parsed = switchyardCallOptionsSchema.strict().safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = zodIssuesToProblems(parsed.error.issues);
  const first = problems[0];
  throw new InvalidArgumentError({
    argument: `providerOptions.switchyard${first?.path ? `.${first.path}` : ''}`,
    message: `Invalid providerOptions.switchyard: ${problems
      .map((problem) => `${problem.path || '(root)'}: ${problem.message}`)
      .join('; ')}. Allowed keys: privacy ('standard' | 'private'), deadlineMs, priority, tags, maxCostUsd, targets.`,
  });
}

/**
 * Converts AI SDK call options into a router request. Settings with no Switchyard equivalent (topK, presence and
 * frequency penalties, reasoning effort, provider tools, per-call headers) are left out and reported as
 * `unsupported` warnings, the way AI SDK providers report settings their API lacks.
 */
export function toSwitchyardRequest(options: LanguageModelV4CallOptions): ConvertedCall {
  checkCallOptions(options);
  const warnings: SharedV4Warning[] = [];
  const callOptions = readCallOptions(options);
  for (const setting of unsupportedSettings) {
    if (options[setting] !== undefined) warnings.push({ type: 'unsupported', feature: setting });
  }
  if (options.reasoning !== undefined && options.reasoning !== 'provider-default') {
    warnings.push({
      type: 'unsupported',
      feature: 'reasoning',
      details: 'Switchyard targets have no reasoning effort.',
    });
  }
  // `generateText` adds its own `user-agent` to every call; only headers the caller set are worth a warning.
  const callerHeaders = Object.entries(options.headers ?? {}).filter(
    ([name, value]) => value !== undefined && name.toLowerCase() !== 'user-agent',
  );
  if (callerHeaders.length > 0) {
    warnings.push({
      type: 'unsupported',
      feature: 'headers',
      details: 'Per-call headers are not forwarded: each target owns its HTTP settings.',
    });
  }

  const tools: Tool[] = [];
  const toolIndexOf: number[] = [];
  for (const [index, tool] of (options.tools ?? []).entries()) {
    if (tool.type === 'function') {
      toolIndexOf.push(index);
      tools.push({
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.inputSchema as Record<string, unknown>,
      });
    } else {
      warnings.push({ type: 'unsupported', feature: `provider-defined tool ${tool.id}` });
    }
  }

  let responseFormat: ResponseFormat | undefined;
  if (options.responseFormat?.type === 'json') {
    if (options.responseFormat.schema) {
      responseFormat = {
        type: 'json_schema',
        schema: options.responseFormat.schema as Record<string, unknown>,
        ...(options.responseFormat.name === undefined ? {} : { name: options.responseFormat.name }),
      };
    } else {
      // Contract targets constrain JSON through a schema; "any JSON object" is the closest schema to plain JSON mode.
      responseFormat = { type: 'json_schema', schema: { type: 'object' } };
      warnings.push({
        type: 'compatibility',
        feature: 'responseFormat',
        details: 'JSON without a schema is requested as a JSON object schema ({ "type": "object" }).',
      });
    }
  }

  let toolChoice: ToolChoice | undefined;
  const choice = options.toolChoice;
  if (choice) toolChoice = choice.type === 'tool' ? { type: 'tool', name: choice.toolName } : choice.type;

  const { targets, ...routing } = callOptions;
  const promptIndexOf: number[] = [];
  const request: GenerateRequest = {
    messages: fromAISDKPrompt(options.prompt, warnings, promptIndexOf),
    ...(options.maxOutputTokens === undefined ? {} : { maxTokens: options.maxOutputTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    ...(options.stopSequences?.length ? { stop: options.stopSequences } : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(tools.length > 0 && toolChoice !== undefined ? { toolChoice } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    ...(Object.keys(routing).length > 0 ? { routing: routing as RoutingHints } : {}),
  };
  return { request, targets, warnings, promptIndexOf, toolIndexOf };
}
