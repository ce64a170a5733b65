import { TargetUnavailableError } from '@switchyard/contract';
import { ensureTinyModel } from '@switchyard/testkit';
import { expect, it, vi } from 'vitest';
import { createLlamaCppTarget } from '../src/index.js';

// Simulates an install without the peer dependency: importing node-llama-cpp fails as it would when it is absent.
vi.mock('node-llama-cpp', () => {
  throw new Error("Cannot find package 'node-llama-cpp'");
});

it('is unavailable with the install command when node-llama-cpp is not installed', async () => {
  const target = createLlamaCppTarget({ modelPath: await ensureTinyModel(), gpu: false });
  expect(target.status()).toEqual({ state: 'ready' });
  const error = await target.load().catch((caught: unknown) => caught);
  expect(TargetUnavailableError.isInstance(error)).toBe(true);
  const status = target.status();
  expect(status.state === 'unavailable' && status.reason).toMatch(/npm install node-llama-cpp/);
  await target.dispose();
});
