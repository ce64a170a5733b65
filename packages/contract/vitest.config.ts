import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'contract' });
