import { llamaCppDescriptor } from '@switchyard/adapter-llamacpp';
import { ollamaDescriptor } from '@switchyard/adapter-ollama';
import { openAIDescriptor } from '@switchyard/adapter-openai';
import { tritonDescriptor } from '@switchyard/adapter-triton';
import type { AdapterDescriptor } from '@switchyard/contract';
import type { AdapterName } from './config-schema.js';

/**
 * Every adapter a config can name, by its config name, statically imported and typed. Target creation and the dry-run
 * plan both go through these descriptors, so `switchyard plan` assumes exactly what the live targets declare.
 */
// biome-ignore lint/suspicious/noExplicitAny: each descriptor has its own settings type; callers pass parsed config.
export const adapterDescriptors: Record<AdapterName, AdapterDescriptor<any>> = {
  llamacpp: llamaCppDescriptor,
  openai: openAIDescriptor,
  ollama: ollamaDescriptor,
  triton: tritonDescriptor,
};
