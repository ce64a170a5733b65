import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'api-report', testTimeout: 60_000 });
