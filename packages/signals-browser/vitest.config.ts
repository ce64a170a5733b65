import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'signals-browser', testTimeout: 60_000 });
