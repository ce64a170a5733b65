import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './cli-args.js';

describe('parseDemoArgs', () => {
  it('starts the web app by default, on the default port unless PORT or --port says otherwise', () => {
    expect(parseDemoArgs([], {})).toEqual({ command: 'serve', json: false });
    expect(parseDemoArgs([], { PORT: '8080' })).toMatchObject({ port: 8080 });
    expect(parseDemoArgs(['--port', '0'], { PORT: '8080' })).toMatchObject({ port: 0 });
  });

  it('runs the tour, with --json and --config, also after a pnpm "--" separator', () => {
    expect(parseDemoArgs(['--', 'tour', '--json', '--config', 'switchyard.config.json'], {})).toEqual({
      command: 'tour',
      json: true,
      configPath: 'switchyard.config.json',
    });
  });

  it('names the flag and the fix for a bad port or an unknown command', () => {
    expect(() => parseDemoArgs(['--port', 'http'], {})).toThrow(/--port: expected a port number/);
    expect(() => parseDemoArgs([], { PORT: '70000' })).toThrow(/PORT: expected a port number/);
    expect(() => parseDemoArgs(['tuor'], {})).toThrow(/unknown command "tuor"/);
    expect(() => parseDemoArgs(['--prot', '0'], {})).toThrow('unknown option --prot: the options are listed below');
  });
});
