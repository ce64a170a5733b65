import { switchyardProject } from '@switchyard/vitest-config';

// One npm install per run (minutes on a cold cache): generous timeouts, one file at a time.
export default switchyardProject({
  name: 'consumer',
  testTimeout: 120_000,
  hookTimeout: 600_000,
  fileParallelism: false,
});
