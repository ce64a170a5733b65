import { switchyardProject } from '@switchyard/vitest-config';

export default switchyardProject({ name: 'ai-sdk', testTimeout: 60_000 });
