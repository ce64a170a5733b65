import { InvalidArgumentError, type LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { createSwitchyard, type SwitchyardProviderSettings } from './index.js';

// Every case is refused before the router runs, so the target (a scripted stand-in) is never called.
const device = createScriptedTarget({ locality: 'local' });
const router = createRouter({ targets: { device } });
const model = createSwitchyard(router)('auto');
const prompt = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];

async function argumentOf(options: Record<string, unknown>, call: 'doGenerate' | 'doStream'): Promise<string> {
  const error = await model[call](options as unknown as LanguageModelV4CallOptions).catch((caught: unknown) => caught);
  expect(InvalidArgumentError.isInstance(error)).toBe(true);
  return (error as InvalidArgumentError).argument;
}

describe('call options of the wrong shape, passed to doGenerate / doStream directly', () => {
  it.each([
    ['no prompt', {}, 'prompt'],
    ['a prompt that is a string', { prompt: 'Hi' }, 'prompt'],
    [
      'a message with an unknown role (was dropped silently)',
      { prompt: [{ role: 'admin', content: [] }] },
      'prompt[0].role',
    ],
    ['user content that is a string', { prompt: [{ role: 'user', content: 'Hi' }] }, 'prompt[0].content'],
    [
      'a user part of an unknown type',
      { prompt: [{ role: 'user', content: [{ type: 'video' }] }] },
      'prompt[0].content[0].type',
    ],
    [
      'a text part without text',
      { prompt: [{ role: 'user', content: [{ type: 'text' }] }] },
      'prompt[0].content[0].text',
    ],
    ['tools that are not a list', { prompt, tools: 5 }, 'tools'],
    ['stop sequences that are not a list (were dropped silently)', { prompt, stopSequences: 'END' }, 'stopSequences'],
    ['an unknown tool choice', { prompt, toolChoice: { type: 'any' } }, 'toolChoice'],
    ['an unknown response format (was sent as text)', { prompt, responseFormat: { type: 'xml' } }, 'responseFormat'],
  ])('%s is an InvalidArgumentError naming the argument, not a TypeError', async (_label, options, argument) => {
    expect(await argumentOf(options, 'doGenerate')).toBe(argument);
    expect(await argumentOf(options, 'doStream')).toBe(argument);
    expect(device.calls).toHaveLength(0);
  });

  it('still accepts a well-formed call', async () => {
    const result = await model.doGenerate({ prompt } as LanguageModelV4CallOptions);
    expect(result.content).toEqual([{ type: 'text', text: 'Hello from the scripted target.' }]);
  });
});

describe('createSwitchyard settings', () => {
  it('refuses settings that are null or a name that is not a string with InvalidArgumentError', () => {
    for (const settings of [null, { name: 5 }]) {
      expect(() => createSwitchyard(router, settings as unknown as SwitchyardProviderSettings)).toThrow(
        InvalidArgumentError,
      );
    }
  });
});
