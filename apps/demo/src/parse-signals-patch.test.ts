import { describe, expect, it } from 'vitest';
import { parseSignalsPatch } from './parse-signals-patch.js';

describe('parseSignalsPatch', () => {
  it('keeps only the fields the panel sent', () => {
    expect(parseSignalsPatch({ network: { online: false } })).toEqual({ network: { online: false } });
    expect(parseSignalsPatch({ battery: { level: 0.1, charging: true }, thermal: 'serious' })).toEqual({
      battery: { level: 0.1, charging: true },
      thermal: 'serious',
    });
  });

  it('reports every bad field by path', () => {
    expect(() =>
      parseSignalsPatch({ battery: { level: 2, charging: 'yes' }, thermal: 'hot', network: { metered: 1 }, gps: 1 }),
    ).toThrow(/battery\.level.*battery\.charging.*thermal.*network\.metered.*gps/s);
  });
});
