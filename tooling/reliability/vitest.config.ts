import { switchyardProject } from '@switchyard/vitest-config';

// Test files share the machine with llama-server and in-process models: run them one at a time.
export default switchyardProject({ name: 'reliability', testTimeout: 30_000, fileParallelism: false });
