import { policySchema } from '@switchyard/core';
import { z } from 'zod';
import { configSchema } from './config-schema.js';

/**
 * The JSON Schema of `switchyard.config.json`, generated from the same zod schemas that validate it (the policy's
 * from `@switchyard/core`), describing what a user writes (defaults optional). The build ships it as
 * `@switchyard/server/config.schema.json`; point a config's `$schema` at it for completion and checking in an editor.
 *
 * @example
 * ```json
 * { "$schema": "./node_modules/@switchyard/server/dist/switchyard.config.schema.json", "targets": { } }
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  const full = configSchema.extend({ policy: z.optional(policySchema) });
  const schema = z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Switchyard config (switchyard.config.json)' };
}
