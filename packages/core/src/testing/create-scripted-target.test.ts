import { invalidConfigProblems, runTargetConformance } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createScriptedTarget } from './create-scripted-target.js';

runTargetConformance({
  name: 'core scripted target',
  createTarget: () =>
    createScriptedTarget({ script: [{ text: 'Once upon a time a train yard hummed through the night.' }] }),
});

describe('createScriptedTarget settings', () => {
  it('names a misspelt setting or step field instead of scripting something else', () => {
    expect(invalidConfigProblems(() => createScriptedTarget({ localty: 'remote' } as never))).toEqual([
      { path: 'localty', message: expect.stringMatching(/^unknown setting; expected one of id, locality/) },
    ]);
    expect(
      invalidConfigProblems(() =>
        createScriptedTarget({
          locality: 'cloud' as never,
          script: [{ text: 'a' }, { firstTokenDelayMS: 5 } as never],
        }),
      ),
    ).toEqual([
      { path: 'locality', message: "expected 'local' or 'remote'" },
      { path: 'script[1].firstTokenDelayMS', message: 'unknown setting; did you mean "firstTokenDelayMs"?' },
    ]);
  });

  it('still takes good settings', async () => {
    const target = createScriptedTarget({
      id: 'x',
      locality: 'remote',
      script: [{ text: 'hi', firstTokenDelayMs: 1 }],
    });
    expect(target.locality).toBe('remote');
    expect((await target.generate({ messages: [{ role: 'user', content: 'q' }], maxTokens: 4 })).text).toBe('hi');
  });
});
