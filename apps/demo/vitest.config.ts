import { switchyardProject } from '@switchyard/vitest-config';

// One file at a time: each test file loads two llama.cpp models and (for the page) a browser.
export default switchyardProject({ name: 'demo', testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false });
