/**
 * Teardown of in-process local targets after a model failed to load. node-llama-cpp 3.21.1 leaks a hold on its
 * backend when `loadModel` fails (a corrupt GGUF): the half-built model keeps a prevent-disposal handle on the
 * shared `Llama`, and once that model object is garbage-collected nothing releases it, so `llama.dispose()` waits
 * forever. The adapter shares one `Llama` per process and frees it with the last target, so disposing a healthy
 * target that outlived a corrupt one (what every suite here does in `afterAll`) must still settle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { SwitchyardError } from '@switchyard/contract';
import { ensureTinyModel } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from './support/drain.js';
import { settledHeapBytes } from './support/leaks.js';
import { closeAll } from './support/teardown.js';

describe('local model teardown after a failed load', () => {
  let modelPath: string;
  let dir: string;

  beforeAll(async () => {
    modelPath = await ensureTinyModel();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-teardown-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('disposing the last local target settles after a corrupt model failed to load and was garbage-collected', async () => {
    const healthy = createLlamaCppTarget({ modelPath, id: 'healthy', threads: 1, gpu: false, contextSize: 512 });
    await healthy.load();
    const corruptPath = join(dir, 'truncated.gguf');
    writeFileSync(corruptPath, readFileSync(modelPath).subarray(0, 4096));
    const corrupt = createLlamaCppTarget({ modelPath: corruptPath, id: 'corrupt', threads: 1, gpu: false });
    const failed = await settle(corrupt.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 }));
    expect(SwitchyardError.isInstance(failed.error)).toBe(true);
    // The half-built model from the failed load is unreachable now; collect it, as a long test run eventually does.
    await settledHeapBytes();
    const answer = await healthy.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 });
    expect(answer.finishReason).toMatch(/stop|length/);
    // Generous hang guard: the last dispose frees the shared backend, which is where the leaked hold used to block.
    await closeAll(
      [
        ['the corrupt target', () => corrupt.dispose()],
        ['the healthy target (last user of the shared backend)', () => healthy.dispose()],
      ],
      { guardMs: 20_000 },
    );
    expect(healthy.status().state).toBe('unavailable');
  });
});
