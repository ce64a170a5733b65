import { switchyardProject } from '@switchyard/vitest-config';

// One model load per test file; files run one after another so two native contexts never compete for 2 cores.
export default switchyardProject({ name: 'adapter-llamacpp', testTimeout: 30_000, fileParallelism: false });
