// Runs after tsup: writes dist/switchyard.config.schema.json from the built package, so the shipped JSON Schema is
// always the one the code validates with.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/index.js';

writeFileSync(
  new URL('../dist/switchyard.config.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
