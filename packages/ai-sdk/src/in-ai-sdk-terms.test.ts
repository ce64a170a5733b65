import { InvalidArgumentError, type LanguageModelV4CallOptions, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { InvalidRequestError } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { toAISDKPath } from './in-ai-sdk-terms.js';
import { createSwitchyard } from './index.js';

// The router refuses each call (its own validation); the provider must name the field as the AI SDK caller wrote it.
// The target is a scripted in-process stand-in: the router never calls it.
const device = createScriptedTarget({ locality: 'local' });
const router = createRouter({ targets: { device } });
const model = createSwitchyard(router)('auto');
const prompt: LanguageModelV4Prompt = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];

const call = (id: string) => ({ type: 'tool-call' as const, toolCallId: id, toolName: 'lookup', input: '{}' });
const result = (id: string) => ({
  type: 'tool-result' as const,
  toolCallId: id,
  toolName: 'lookup',
  output: { type: 'text' as const, value: 'ok' },
});
// One tool message with two results becomes two router messages, so the router's indexes run ahead of the prompt's:
// the last prompt message (index 4) is the router's messages[5].
const toolConversation: LanguageModelV4Prompt = [
  { role: 'user', content: [{ type: 'text', text: 'Look both up' }] },
  { role: 'assistant', content: [call('a'), call('b')] },
  { role: 'tool', content: [result('a'), result('b')] },
  { role: 'assistant', content: [call('c')] },
  { role: 'tool', content: [result('')] },
];

async function refusal(options: Partial<LanguageModelV4CallOptions>, method: 'doGenerate' | 'doStream') {
  const error = await model[method]({ prompt, ...options } as LanguageModelV4CallOptions).catch((e: unknown) => e);
  expect(InvalidArgumentError.isInstance(error)).toBe(true);
  return error as InvalidArgumentError;
}

describe('router refusals name the AI SDK call option, not the router field', () => {
  it.each<[string, Partial<LanguageModelV4CallOptions>, string, string]>([
    ['maxOutputTokens (router: maxTokens)', { maxOutputTokens: -1 }, 'maxOutputTokens', 'maxTokens'],
    ['stopSequences[0] (router: stop[0])', { stopSequences: [''] }, 'stopSequences[0]', 'stop[0]'],
    [
      'prompt[4] (router: messages[5], after a tool message with two results)',
      { prompt: toolConversation },
      'prompt[4]',
      'messages[5]',
    ],
    [
      'tools[1].name (router: tools[0], a provider-defined tool left out before it)',
      {
        tools: [
          { type: 'provider', id: 'other.search', name: 'search', args: {} },
          { type: 'function', name: 'has space', inputSchema: { type: 'object' } },
        ],
      },
      'tools[1].name',
      'tools[0]',
    ],
    [
      'providerOptions.switchyard.targets[0] (router: options.targets[0])',
      { providerOptions: { switchyard: { targets: ['nope'] } } },
      'providerOptions.switchyard.targets[0]',
      'options.targets',
    ],
  ])('%s', async (_label, options, argument, routerName) => {
    for (const method of ['doGenerate', 'doStream'] as const) {
      const error = await refusal(options, method);
      expect(error.argument).toBe(argument);
      expect(error.message).toContain(`${argument}:`);
      expect(error.message).not.toContain(routerName);
      // The router's own error stays reachable for code that wants its field names.
      const original = (error.cause as InvalidRequestError).cause;
      expect(InvalidRequestError.isInstance(original)).toBe(true);
      expect(device.calls).toHaveLength(0);
    }
  });

  it('keeps names the AI SDK shares with the router (temperature)', async () => {
    expect((await refusal({ temperature: 5 }, 'doGenerate')).argument).toBe('temperature');
  });
});

describe('toAISDKPath', () => {
  const fields = { promptIndexOf: [0, 1, 2, 2], toolIndexOf: [1], targetsFrom: 'providerOptions' as const };

  it.each([
    ['messages[3].content[0].text', 'prompt[2].content[0]'],
    ['messages[3].toolCallId', 'prompt[2]'],
    ['messages[9].role', 'prompt'],
    ['maxTokens', 'maxOutputTokens'],
    ['stop', 'stopSequences'],
    ['tools[0].parameters', 'tools[1].inputSchema'],
    ['toolChoice.name', 'toolChoice.toolName'],
    ['routing.deadlineMs', 'providerOptions.switchyard.deadlineMs'],
    ['options.targets', 'providerOptions.switchyard.targets'],
    ['responseFormat.schema', 'responseFormat.schema'],
  ])('%s -> %s', (path, expected) => {
    expect(toAISDKPath(path, fields)).toBe(expected);
  });

  it('names the model id for the target list of a model pinned to one target', () => {
    expect(toAISDKPath('options.targets[0]', { ...fields, targetsFrom: 'modelId' })).toBe('modelId');
  });
});
