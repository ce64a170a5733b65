import { runTargetConformance } from '@switchyard/contract/testing';
import { ensureTinyModel } from '@switchyard/testkit';
import { createLlamaCppTarget } from '../src/index.js';

runTargetConformance({
  name: 'adapter-llamacpp on the generated tiny model',
  createTarget: async () => {
    const target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      contextSize: 1024,
      gpu: false,
    });
    await target.load();
    return target;
  },
  deterministic: true,
});
