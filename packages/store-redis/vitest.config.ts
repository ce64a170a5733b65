import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'store-redis', fileParallelism: false });
