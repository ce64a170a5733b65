// Lets plain Node run the TypeScript benchmarks: `node --import ./bench/register.mjs bench/plan.bench.ts`.
// It transpiles .ts files with the repo's TypeScript (types are erased, nothing is checked) and, like the vitest
// config, resolves `@switchyard/<dir>` to that package's src, so no build is needed first.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
