import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'bench', testTimeout: 120_000 });
