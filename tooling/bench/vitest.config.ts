import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'bench', testTimeout: 180_000 });
