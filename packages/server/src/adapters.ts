import type { Locality, Target, TargetCapabilities } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import type { AdapterName } from './config-schema.js';

/** How the CLI finds each adapter: its package, its factory, and what to assume when planning without it. */
export interface AdapterInfo {
  packageName: string;
  factory: string;
  locality: Locality;
  /** Assumed by `plan` when the adapter package is not installed; config `capabilities` override them. */
  defaultCapabilities: Omit<TargetCapabilities, 'countTokens'>;
}

export const adapters: Record<AdapterName, AdapterInfo> = {
  llamacpp: {
    packageName: '@switchyard/adapter-llamacpp',
    factory: 'createLlamaCppTarget',
    locality: 'local',
    defaultCapabilities: { contextWindow: 4096, maxOutputTokens: 1024, tools: true, jsonSchema: true, images: false },
  },
  openai: {
    packageName: '@switchyard/adapter-openai',
    factory: 'createOpenAITarget',
    locality: 'remote',
    defaultCapabilities: { contextWindow: 8192, maxOutputTokens: 4096, tools: true, jsonSchema: true, images: false },
  },
  ollama: {
    packageName: '@switchyard/adapter-ollama',
    factory: 'createOllamaTarget',
    locality: 'local',
    defaultCapabilities: { contextWindow: 4096, maxOutputTokens: 1024, tools: true, jsonSchema: true, images: false },
  },
  triton: {
    packageName: '@switchyard/adapter-triton',
    factory: 'createTritonTarget',
    locality: 'remote',
    defaultCapabilities: { contextWindow: 4096, maxOutputTokens: 1024, tools: false, jsonSchema: false, images: false },
  },
};

export type TargetFactory = (settings: Record<string, unknown>) => Target;

const loaded = new Map<AdapterName, Promise<TargetFactory>>();

/**
 * Imports an adapter package the first time a config uses it, so a missing adapter only fails the configs that
 * name it. The error says which target needs it and how to install it.
 */
export function loadAdapterFactory(adapter: AdapterName, targetName: string): Promise<TargetFactory> {
  let pending = loaded.get(adapter);
  if (!pending) {
    pending = importFactory(adapter);
    loaded.set(adapter, pending);
    // A failed import is not cached: the user may install the package and retry in the same process (the demo).
    pending.catch(() => loaded.delete(adapter));
  }
  return pending.catch((error: unknown) => {
    throw new InvalidConfigError({
      problems: [{ path: `targets.${targetName}.adapter`, message: (error as Error).message }],
      cause: error,
    });
  });
}

async function importFactory(adapter: AdapterName): Promise<TargetFactory> {
  const info = adapters[adapter];
  let module: Record<string, unknown>;
  try {
    // A variable specifier keeps bundlers from resolving the adapter at build time.
    const specifier: string = info.packageName;
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes(info.packageName);
    if (missing || /Failed to (load|resolve)/.test(String((error as Error).message))) {
      throw new Error(
        `the "${adapter}" adapter needs the package ${info.packageName}, which is not installed: ` +
          `add it next to @switchyard/server (pnpm add ${info.packageName})`,
        { cause: error },
      );
    }
    throw new Error(`the "${adapter}" adapter (${info.packageName}) failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const factory = module[info.factory];
  if (typeof factory !== 'function') {
    throw new Error(`${info.packageName} does not export ${info.factory}(); is it an older version?`);
  }
  return factory as TargetFactory;
}
