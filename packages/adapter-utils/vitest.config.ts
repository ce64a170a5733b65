import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'adapter-utils' });
