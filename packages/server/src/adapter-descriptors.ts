import { llamaCppDescriptor } from '@switchyard/adapter-llamacpp';
import { ollamaDescriptor } from '@switchyard/adapter-ollama';
import { openAIDescriptor } from '@switchyard/adapter-openai';
import { tritonDescriptor } from '@switchyard/adapter-triton';
import type { AdapterDescriptor } from '@switchyard/contract';

// biome-ignore lint/suspicious/noExplicitAny: descriptors differ in their settings types; generic code reads their data.
export type AnyDescriptor = AdapterDescriptor<any, any, any>;

/**
 * Every adapter a config can name, by its config name, statically imported and typed: the config's schema (and its
 * JSON Schema and `defineConfig` types), target creation, the dry-run plan and `doctor` are all built from these
 * descriptors, so the server knows nothing adapter-specific. Adding an adapter is one line here.
 */
export const adapterDescriptors = {
  llamacpp: llamaCppDescriptor,
  openai: openAIDescriptor,
  ollama: ollamaDescriptor,
  triton: tritonDescriptor,
} as const satisfies Record<string, AnyDescriptor>;

/** The adapter names a config's `adapter` field accepts. */
export type AdapterName = keyof typeof adapterDescriptors;

/** The descriptor of a config's adapter, for code that handles every adapter alike (through its data and functions). */
export function descriptorOf(name: AdapterName): AnyDescriptor {
  return adapterDescriptors[name];
}
