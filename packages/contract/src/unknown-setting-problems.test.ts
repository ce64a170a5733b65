import { describe, expect, it } from 'vitest';
import { unknownSettingProblems } from './unknown-setting-problems.js';

const places = {
  '': ['refreshMs', 'reachability', 'readers'],
  reachability: ['urls', 'intervalMs'],
  readers: ['cpuLoad'],
};

describe('unknownSettingProblems', () => {
  it('passes known keys and absent groups', () => {
    expect(unknownSettingProblems({ refreshMs: 1, reachability: { urls: [] } }, places)).toEqual([]);
    expect(unknownSettingProblems({}, places)).toEqual([]);
  });

  it('names a key misspelt by case, or misplaced, with the place it fits', () => {
    expect(unknownSettingProblems({ refreshMS: 1, intervalMs: 5, reachability: { refreshms: 1 } }, places)).toEqual([
      { path: 'refreshMS', message: 'unknown setting; did you mean "refreshMs"?' },
      { path: 'intervalMs', message: 'unknown setting; did you mean "reachability.intervalMs"?' },
      { path: 'reachability.refreshms', message: 'unknown setting; did you mean "refreshMs"?' },
    ]);
  });

  it('lists the keys valid where any other unknown key stands, and refuses groups that are not objects', () => {
    expect(unknownSettingProblems({ foo: 1, reachability: 'x', readers: [] }, places)).toEqual([
      { path: 'foo', message: 'unknown setting; expected one of refreshMs, reachability, readers' },
      { path: 'reachability', message: 'expected an object of urls, intervalMs' },
      { path: 'readers', message: 'expected an object of cpuLoad' },
    ]);
  });
});
