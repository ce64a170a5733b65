import { describe, expect, it } from 'vitest';
import { PrefixStripper } from './prefix-stripper.js';

describe('PrefixStripper', () => {
  it('drops an echoed prefix split across pieces and passes the continuation through', () => {
    const strip = new PrefixStripper(' say educa');
    expect(strip.push(' say')).toBe('');
    expect(strip.push(' edu')).toBe('');
    expect(strip.push('cation their')).toBe('tion their');
    expect(strip.push(' more')).toBe(' more');
  });

  it('loses nothing when the runtime does not echo the prefix', () => {
    const strip = new PrefixStripper('Once upon');
    expect(strip.push(' a time')).toBe(' a time');
    expect(strip.flush()).toBe('');
  });

  it('returns nothing new when the output ended inside the echoed prefix', () => {
    const strip = new PrefixStripper('Once upon');
    expect(strip.push('Once')).toBe('');
    expect(strip.flush()).toBe('');
  });
});
