import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'adapter-wllama', testTimeout: 180_000 });
