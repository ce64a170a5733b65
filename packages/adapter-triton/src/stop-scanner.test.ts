import { describe, expect, it } from 'vitest';
import { StopScanner } from './stop-scanner.js';

describe('StopScanner', () => {
  it('finds a stop sequence split across deltas and never emits it', () => {
    const scanner = new StopScanner(['</end>']);
    const out = ['Hello wor', 'ld </e', 'nd> more'].map((delta) => scanner.push(delta)).join('');
    expect(out + scanner.flush()).toBe('Hello world ');
    expect(scanner.hasStopped).toBe(true);
  });

  it('passes text through unchanged without stop sequences, and releases held text at the end', () => {
    expect(new StopScanner([]).push('abc')).toBe('abc');
    const scanner = new StopScanner(['xyz']);
    expect(scanner.push('abcx') + scanner.flush()).toBe('abcx');
    expect(scanner.hasStopped).toBe(false);
  });
});
