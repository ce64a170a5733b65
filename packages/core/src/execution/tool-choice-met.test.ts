import type { GenerateRequest } from '@switchyard/contract';
import { AllTargetsFailedError, InvalidResponseError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget, type ScriptStep } from '../testing/index.js';

// A target whose model or server ignores tools (llama-server without --jinja does, silently) answers a request that
// requires a tool call in text. The router does not pass that answer on as a success: it fails over while it can
// (nothing sent yet), else the answer ends in an error that says why.

const ring = { name: 'ring', parameters: { type: 'object', properties: {} } };
const bell = { name: 'bell', parameters: { type: 'object', properties: {} } };
const call = (name: string) => ({ id: `call-${name}`, name, arguments: '{}' });
/** A step that answers with tool calls only (a scripted step says "Hello from the scripted target." by default). */
const calls = (...names: string[]): ScriptStep => ({ text: [], toolCalls: names.map(call) });

function routerOf(first: ScriptStep, second?: ScriptStep) {
  return createRouter({
    targets: {
      device: createScriptedTarget({ locality: 'local', script: [first] }),
      ...(second ? { gpu: createScriptedTarget({ locality: 'remote', script: [second] }) } : {}),
    },
    policy: { mode: 'prefer-local', execution: { retries: 0 } },
  });
}

const ask = (toolChoice: GenerateRequest['toolChoice']): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Ring the bell' }],
  tools: [ring, bell],
  toolChoice,
});

const message = (wanted: string) =>
  `Target "device" answered without calling ${wanted}, which the request's toolChoice requires: its model or server ` +
  'may not support tool calling (llama-server needs --jinja)';

async function failureOf(run: () => Promise<unknown>): Promise<Error> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('a toolChoice the answer does not meet', () => {
  it.each([
    ['required', 'required' as const, 'a tool'],
    ['a named tool', { type: 'tool' as const, name: 'ring' }, 'the tool "ring"'],
  ])(
    '%s answered in text: a whole answer fails over to a target that calls it; a stream, its text out already, ends in an error saying why',
    async (_name, toolChoice, wanted) => {
      // A new router for each: after a failure the first target no longer leads the plan.
      const whole = routerOf({ text: 'Sure, ringing now.' }, calls('ring'));
      const result = await whole.generate(ask(toolChoice));
      expect(result.toolCalls.map((made) => made.name)).toEqual(['ring']);
      expect(result.route.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
        ['device', 'error'],
        ['gpu', 'success'],
      ]);
      const streamed = routerOf({ text: 'Sure, ringing now.' }, calls('ring'));
      const drain = async () => {
        for await (const _part of streamed.stream(ask(toolChoice))) {
          // read to the end
        }
      };
      expect((await failureOf(drain)).message).toContain(message(wanted));
      await whole.dispose();
      await streamed.dispose();
    },
  );

  it('a named tool answered with another: an error (its call is out already, and a tool call is never sent twice)', async () => {
    const router = routerOf(calls('bell'), calls('ring'));
    const toolChoice = { type: 'tool' as const, name: 'ring' };
    expect((await failureOf(() => router.generate(ask(toolChoice)))).message).toContain(message('the tool "ring"'));
    await router.dispose();
  });

  it('fails over to a target that calls the tool when the first ended before any output', async () => {
    const router = routerOf({ text: [] }, calls('ring'));
    const result = await router.generate(ask({ type: 'tool', name: 'ring' }));
    expect(result.toolCalls.map((made) => made.name)).toEqual(['ring']);
    expect(result.route.target).toBe('gpu');
    expect(result.route.attempts[0]).toMatchObject({ target: 'device', outcome: 'error' });
    await router.dispose();
  });

  it('fails with an InvalidResponseError when no target meets it', async () => {
    const router = routerOf({ text: [] });
    const error = await failureOf(() => router.generate(ask('required')));
    expect(AllTargetsFailedError.isInstance(error)).toBe(true);
    const cause = (error as AllTargetsFailedError).lastError;
    expect(InvalidResponseError.isInstance(cause)).toBe(true);
    expect(cause?.message).toBe(message('a tool'));
    await router.dispose();
  });

  it.each([
    ['auto, answered in text', 'auto' as const, { text: 'Hello.' }],
    ['none, answered in text', 'none' as const, { text: 'Hello.' }],
    ['required, cut off by the token limit', 'required' as const, { text: '{"na', finishReason: 'length' as const }],
    ['required, answered with any tool', 'required' as const, calls('bell')],
  ])('passes %s', async (_name, toolChoice, answer) => {
    const router = routerOf(answer);
    const result = await router.generate(ask(toolChoice));
    expect(result.route.target).toBe('device');
    await router.dispose();
  });
});
