import { describe, expect, it } from 'vitest';
import { EchoedPrefix } from './echoed-prefix.js';

function run(prefix: string, pieces: string[]): string[] {
  const echoed = new EchoedPrefix(prefix);
  const out = pieces.map((piece) => echoed.push(piece));
  out.push(echoed.flush());
  return out;
}

describe('EchoedPrefix', () => {
  it('strips a prefix the server echoes, even when it arrives in pieces', () => {
    expect(run(' say education', [' say', ' educ', 'ation most', ' words'])).toEqual(['', '', ' most', ' words', '']);
    expect(run('Once', ['Once upon'])).toEqual([' upon', '']);
  });

  it('passes through an answer that does not start with the prefix', () => {
    expect(run('Once upon', [' a', ' time'])).toEqual([' a', ' time', '']);
    expect(run('Once upon', ['Once', ' more'])).toEqual(['', 'Once more', '']);
  });

  it('releases held text when the answer ends early', () => {
    expect(run('Once upon', ['Once'])).toEqual(['', 'Once']);
  });
});
