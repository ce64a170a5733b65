import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ApiCallError, SwitchyardError, TimeoutError } from '../index.js';

type ErrorModules = {
  api: typeof import('./api-call-error.js');
  timeout: typeof import('./timeout-error.js');
  abort: typeof import('./abort-error.js');
};

// Two installed copies of @switchyard/contract (say, one under an adapter, one under the app) have separate classes.
// A real second copy: the error sources copied to a temporary directory and loaded as separate modules.
describe('errors from a second installed copy of the package', () => {
  let dir: string;
  let copy: ErrorModules;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-contract-copy-'));
    const src = join(import.meta.dirname, '..');
    cpSync(join(src, 'errors'), join(dir, 'errors'), { recursive: true });
    for (const file of ['redact.ts', 'exclusion-reason.ts']) cpSync(join(src, file), join(dir, file));
    copy = {
      api: await import(join(dir, 'errors', 'api-call-error.ts')),
      timeout: await import(join(dir, 'errors', 'timeout-error.ts')),
      abort: await import(join(dir, 'errors', 'abort-error.ts')),
    };
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are not instanceof this copy, yet isInstance recognises them by their Symbol.for markers', () => {
    expect(copy.api.ApiCallError).not.toBe(ApiCallError);
    const foreign = new copy.api.ApiCallError({ url: 'http://127.0.0.1:1/v1', status: 503 });
    expect(foreign instanceof ApiCallError).toBe(false);
    expect(ApiCallError.isInstance(foreign)).toBe(true);
    expect(SwitchyardError.isInstance(foreign)).toBe(true);
    expect(TimeoutError.isInstance(foreign)).toBe(false);
    expect(AbortError.isInstance(new copy.abort.AbortError())).toBe(true);
    expect(TimeoutError.isInstance(new copy.timeout.TimeoutError({ timeoutMs: 5 }))).toBe(true);
  });

  it('recognise this copy’s errors in the other direction too', () => {
    const local = new TimeoutError({ timeoutMs: 5 });
    expect(copy.timeout.TimeoutError.isInstance(local)).toBe(true);
    expect(copy.abort.AbortError.isInstance(local)).toBe(false);
  });
});
