import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'adapter-chrome-ai', testTimeout: 60_000 });
