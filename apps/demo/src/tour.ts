import type { Exclusion, FinishReason, GenerateRequest, Locality, ToolCall } from '@switchyard/contract';
import type { RouteOptions, RoutePlan, RouteSummary, SignalOverrides } from '@switchyard/core';
import type { DemoRuntime } from './create-demo-runtime.js';

/** One scripted situation the tour puts the router in. */
export interface TourScenario {
  id: string;
  title: string;
  /** What a reader should expect, in words (printed with `--json`). */
  expectation: string;
  request(runtime: DemoRuntime): GenerateRequest;
  /** Device readings for this request only (the panel's signals are left alone). */
  signals?: SignalOverrides;
  /** Runs just before the request (e.g. arming the remote's fault switch); returns why it cannot run, if so. */
  prepare?(runtime: DemoRuntime): string | undefined;
}

/** What the router decided and did for one scenario. */
export interface TourResult {
  scenario: string;
  title: string;
  expectation: string;
  /** Set when the scenario could not run in this setup (e.g. a real remote has no fault switch). */
  skipped?: string;
  target: string | null;
  locality: Locality | null;
  /** The ordered plan: primary first. */
  plan: string[];
  excluded: Exclusion[];
  privacy: RoutePlan['privacy'];
  explanation: string[];
  failovers: { from: string; to: string; mode: 'continue' | 'restart'; error: { code: string; message: string } }[];
  toolCalls: ToolCall[];
  text: string;
  finishReason?: FinishReason;
  ttftMs?: number;
  tokensPerSecond?: number;
  costUsd: number;
  fallbacks: number;
  hedged: boolean;
  error?: { code: string; message: string };
}

const answerTokens = 48;

function ask(content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: [{ role: 'user', content }], maxTokens: answerTokens, ...extra };
}

const paragraph =
  'Quarterly report. Revenue grew in every region while costs stayed flat; the board asks for a summary of risks, ' +
  'hiring plans, supplier contracts and the outlook for the next two quarters, with figures where they exist. ';

/** A document longer than the on-device target's context window (measured with its own tokenizer when loaded). */
export function longDocument(runtime: DemoRuntime): string {
  const local = runtime.localName ? runtime.router.targets[runtime.localName] : undefined;
  const window = local?.capabilities.contextWindow ?? 4_096;
  const count = (text: string) => local?.capabilities.countTokens?.(text) ?? Math.ceil(text.length / 4);
  let document = '';
  for (let index = 0; index < 2_000 && count(document) <= window; index += 1) document += paragraph;
  return document;
}

/** The tour's scenarios, in the order they run. */
export const tourScenarios: readonly TourScenario[] = [
  {
    id: 'short-question',
    title: 'Short question',
    expectation: 'stays on the device (prefer-local): free, private, no network',
    request: () => ask('What is the capital of France?'),
  },
  {
    id: 'private-note',
    title: 'Private note with an email address',
    expectation: 'the on-device detector finds the email: the remote is excluded (privacy), even as a fallback',
    request: () => ask('Draft a reminder to email jane.doe@example.com about the lease renewal on Monday.'),
  },
  {
    id: 'offline',
    title: 'Device offline',
    expectation: 'the remote is excluded (offline); the device answers',
    request: () => ask('Give me three ideas for a rainy afternoon.'),
    signals: { device: { network: { online: false } } },
  },
  {
    id: 'low-battery',
    title: 'Low battery, not charging',
    expectation: 'the device is spared (battery): the GPU endpoint answers',
    request: () => ask('Summarise the plot of Hamlet in two sentences.'),
    signals: { device: { battery: { level: 0.12, charging: false } } },
  },
  {
    id: 'hot-device',
    title: 'Hot device',
    expectation: 'thermal state above the policy limit: the GPU endpoint answers',
    request: () => ask('Explain what a hash map is.'),
    signals: { device: { thermal: 'critical' } },
  },
  {
    id: 'long-document',
    title: 'Long document beyond the local context window',
    expectation: 'the device cannot fit it (context-window): the GPU endpoint answers',
    request: (runtime) => ask(`Summarise this document:\n\n${longDocument(runtime)}`),
  },
  {
    id: 'tool-call',
    title: 'Tool call',
    expectation: 'both targets support tools; the device answers with a call to get_weather',
    request: () =>
      ask('What is the weather in Lisbon right now?', {
        // A forced call is a whole JSON object: the generated vocabulary spends about a token per character.
        maxTokens: 160,
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string', enum: ['Lisbon', 'Porto', 'Faro'] } },
              required: ['city'],
            },
          },
        ],
        toolChoice: { type: 'tool', name: 'get_weather' },
      }),
  },
  {
    id: 'remote-fails-mid-stream',
    title: 'Remote failing mid-stream',
    expectation:
      'tagged "quality", so the GPU endpoint goes first; its connection is reset mid-answer and the router fails over to the device, which completes the answer',
    request: () => ask('Write a short poem about trains.', { routing: { tags: ['quality'] } }),
    prepare(runtime) {
      if (!runtime.remoteStandIn) return "needs the demo's remote stand-in (its fault switch breaks the stream)";
      runtime.remoteStandIn.breakNextRequest();
      return undefined;
    },
  },
];

function emptyResult(scenario: TourScenario): TourResult {
  return {
    scenario: scenario.id,
    title: scenario.title,
    expectation: scenario.expectation,
    target: null,
    locality: null,
    plan: [],
    excluded: [],
    privacy: { private: false, detected: [] },
    explanation: [],
    failovers: [],
    toolCalls: [],
    text: '',
    costUsd: 0,
    fallbacks: 0,
    hedged: false,
  };
}

function applyPlan(result: TourResult, plan: RoutePlan): void {
  result.plan = plan.plan.map((entry) => entry.target);
  result.excluded = plan.excluded;
  result.privacy = plan.privacy;
  result.explanation = plan.explanation;
}

function applySummary(result: TourResult, route: RouteSummary): void {
  applyPlan(result, route.plan);
  result.target = route.target ?? null;
  result.locality = route.locality ?? null;
  result.costUsd = route.costUsd;
  result.fallbacks = route.fallbacks;
  result.hedged = route.hedged;
  if (route.ttftMs !== undefined) result.ttftMs = route.ttftMs;
  if (route.tokensPerSecond !== undefined) result.tokensPerSecond = route.tokensPerSecond;
}

/** Runs one scenario through the real router and records what happened. */
export async function runScenario(runtime: DemoRuntime, scenario: TourScenario): Promise<TourResult> {
  const result = emptyResult(scenario);
  const skipped = scenario.prepare?.(runtime);
  if (skipped !== undefined) {
    result.skipped = skipped;
    return result;
  }
  const request = scenario.request(runtime);
  const options: RouteOptions = scenario.signals ? { signals: scenario.signals } : {};
  try {
    for await (const part of runtime.router.stream(request, options)) {
      switch (part.type) {
        case 'route':
          if (part.phase === 'decision') applyPlan(result, part.plan);
          else {
            applySummary(result, part.route);
            runtime.log.add(part.route);
          }
          break;
        case 'text-delta':
          result.text += part.text;
          break;
        case 'tool-call':
          result.toolCalls.push(part.toolCall);
          break;
        case 'finish':
          result.finishReason = part.finishReason;
          break;
        case 'failover':
          result.failovers.push({ from: part.from, to: part.to, mode: part.mode, error: part.error });
          if (part.mode === 'restart') result.text = '';
          break;
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    result.error = {
      code: typeof code === 'string' ? code : 'internal',
      message: error instanceof Error ? error.message : String(error),
    };
    const excluded = (error as { excluded?: unknown }).excluded;
    if (Array.isArray(excluded)) result.excluded = excluded as Exclusion[];
  }
  return result;
}

/** Runs every scenario in order, one at a time (the device runs one request at a time anyway). */
export async function runTour(
  runtime: DemoRuntime,
  options: { onResult?: (result: TourResult) => void; scenarios?: readonly TourScenario[] } = {},
): Promise<TourResult[]> {
  const results: TourResult[] = [];
  for (const scenario of options.scenarios ?? tourScenarios) {
    const result = await runScenario(runtime, scenario);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
