import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineLogger } from './wllama-logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('engineLogger', () => {
  it("sends wllama's warnings and errors to console unchanged when no logger is set, and drops debug and info", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const engine = engineLogger(undefined);
    const detail = { reqId: 3 };
    engine.warn('Failed to cancel request', detail);
    engine.error('llama.cpp: out of memory');
    engine.log('loaded');
    engine.debug('Calling wllamaStart...');
    expect(warn).toHaveBeenCalledWith('Failed to cancel request', detail);
    expect(error).toHaveBeenCalledWith('llama.cpp: out of memory');
    expect(log).not.toHaveBeenCalled();
    expect(debug).not.toHaveBeenCalled();
  });

  it('sends warnings and errors to the logger as one string each, and never to console', () => {
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const lines: string[] = [];
    // A class instance: its methods need their `this`, which wllama's unbound `onerror = logger.error` would lose.
    class Sink {
      prefix = 'app';
      warn(message: string) {
        lines.push(`${this.prefix} warn ${message}`);
      }
      error(message: string) {
        lines.push(`${this.prefix} error ${message}`);
      }
    }
    const engine = engineLogger(new Sink());
    engine.warn('Failed to cancel request', 7, new TypeError('gone'), { id: 1 });
    const onerror = engine.error;
    onerror({ message: 'worker script failed' });
    engine.log('dropped');
    expect(lines).toEqual([
      'app warn Failed to cancel request 7 TypeError: gone {"id":1}',
      'app error worker script failed',
    ]);
    expect(consoleWarn).not.toHaveBeenCalled();
  });
});
