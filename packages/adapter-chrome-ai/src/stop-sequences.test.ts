import { describe, expect, it } from 'vitest';
import { StopSequences } from './stop-sequences.js';

describe('StopSequences', () => {
  it('passes text through untouched without stop sequences', () => {
    const stops = new StopSequences();
    expect(stops.push('abc')).toBe('abc');
    expect(stops.flush()).toBe('');
  });

  it('holds back a possible start of a stop sequence and cuts where it completes', () => {
    const stops = new StopSequences(['END']);
    expect(stops.push('hello E')).toBe('hello');
    expect(stops.push('N')).toBe(' ');
    expect(stops.push('Dmore')).toBe('');
    expect(stops.stopped).toBe(true);
    expect(stops.push('after')).toBe('');
  });

  it('releases held-back text that turned out not to be a stop sequence', () => {
    const stops = new StopSequences(['END']);
    expect(stops.push('E')).toBe('');
    expect(stops.push('N')).toBe('');
    expect(stops.flush()).toBe('EN');
  });
});
