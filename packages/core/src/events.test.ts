import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from './create-router.js';
import { createScriptedTarget } from './testing/create-scripted-target.js';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('router.on', () => {
  const router = () => createRouter({ targets: { device: createScriptedTarget() } });

  it('refuses a misspelt event name with an InvalidConfigError naming it and listing the events', () => {
    const error = thrownBy(() => router().on('decison' as never, () => {}));
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).problems).toEqual([
      {
        path: 'event',
        message:
          'unknown router event "decison"; expected one of "decision", "attempt", "fallback", "hedge", "circuit", ' +
          '"probe", "store"',
      },
    ]);
  });

  it('refuses a listener that is not a function, and an event name inherited from Object.prototype', () => {
    const notFunction = thrownBy(() => router().on('decision', 'log' as never));
    expect((notFunction as InvalidConfigError).problems).toEqual([
      { path: 'listener', message: 'expected a function, received string' },
    ]);
    const inherited = thrownBy(() => router().on('toString' as never, () => {}));
    expect(InvalidConfigError.isInstance(inherited)).toBe(true);
  });

  it('still delivers a known event to its listener', async () => {
    const routed = router();
    const seen: string[] = [];
    routed.on('decision', (event) => seen.push(event.plan.plan[0]?.target ?? ''));
    await routed.generate({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(seen).toEqual(['device']);
  });
});
