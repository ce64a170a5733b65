import { switchyardProject } from '@switchyard/vitest-config';

// One file at a time: the page test loads two llama.cpp models and a browser.
export default switchyardProject({
  name: 'ai-sdk-chat',
  testTimeout: 180_000,
  hookTimeout: 240_000,
  fileParallelism: false,
});
