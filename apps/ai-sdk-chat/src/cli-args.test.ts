import { describe, expect, it } from 'vitest';
import { parseChatArgs } from './cli-args.js';

describe('parseChatArgs', () => {
  it('takes --port before PORT, and neither means the default', () => {
    expect(parseChatArgs(['--port', '0'], { PORT: '5200' })).toEqual({ help: false, port: 0 });
    expect(parseChatArgs([], { PORT: '5200' })).toEqual({ help: false, port: 5200 });
    expect(parseChatArgs(['--'], {})).toEqual({ help: false });
    expect(parseChatArgs(['-h'], {})).toEqual({ help: true });
  });

  it('names the flag or variable and the range of a bad port', () => {
    expect(() => parseChatArgs([], { PORT: 'abc' })).toThrow(
      'PORT: expected a port number from 0 to 65535 (0 picks a free one), got "abc"',
    );
    expect(() => parseChatArgs(['--port', '70000'], {})).toThrow(/^--port: expected a port number/);
    expect(() => parseChatArgs(['--port'], {})).toThrow('--port: give a number, e.g. --port 0');
  });

  it('refuses what it does not know instead of starting anyway', () => {
    expect(() => parseChatArgs(['--prot', '0'], {})).toThrow('unknown argument --prot 0: see --help');
    expect(() => parseChatArgs(['serve'], {})).toThrow('unknown argument serve: see --help');
  });
});
