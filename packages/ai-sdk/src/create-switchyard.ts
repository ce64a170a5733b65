import type { ProviderV4 } from '@ai-sdk/provider';
import { InvalidArgumentError, NoSuchModelError } from '@ai-sdk/provider';
import { unknownSettingProblems } from '@switchyard/contract';
import type { Router } from '@switchyard/core';
import { AUTO_MODEL_ID, SwitchyardLanguageModel } from './switchyard-language-model.js';

/** Settings of {@link createSwitchyard}. */
export interface SwitchyardProviderSettings {
  /** Provider name shown in the AI SDK's telemetry and `response` data. Default `switchyard`. */
  name?: string;
}

/** `auto` (the router chooses) or the name of one of the router's targets. */
export type SwitchyardModelId = 'auto' | (string & {});

/**
 * The Switchyard provider: call it (or its `languageModel`) with a model id to get a `LanguageModelV4`. Embedding and
 * image models are not Switchyard's and throw `NoSuchModelError`.
 */
export interface SwitchyardProvider extends ProviderV4 {
  (modelId: SwitchyardModelId): SwitchyardLanguageModel;
  languageModel(modelId: SwitchyardModelId): SwitchyardLanguageModel;
}

/**
 * Creates an AI SDK provider whose models run every call through a Switchyard router: fallback, hedging, privacy
 * routing, device-aware decisions and mid-stream failover inside `generateText` / `streamText`. The route of each
 * call is in `providerMetadata.switchyard`. A router that is not one, settings that are not `{ name?: string }` and an
 * unknown setting (a typo) are an `InvalidArgumentError` naming it.
 *
 * @example
 * ```ts
 * import { streamText } from 'ai';
 * import { createRouter } from '@switchyard/core';
 * import { createSwitchyard } from '@switchyard/ai-sdk';
 *
 * const switchyard = createSwitchyard(createRouter({ targets: { device, gpu }, policy: { mode: 'prefer-local' } }));
 * const result = streamText({ model: switchyard('auto'), prompt: 'Name three rail yards.' });
 * for await (const text of result.textStream) process.stdout.write(text);
 * console.log((await result.providerMetadata)?.switchyard?.target);
 * ```
 */
export function createSwitchyard(router: Router, settings: SwitchyardProviderSettings = {}): SwitchyardProvider {
  if (typeof router !== 'object' || router === null || typeof router.stream !== 'function') {
    throw new InvalidArgumentError({
      argument: 'router',
      message: 'createSwitchyard(router): expected a router from createRouter() in @switchyard/core.',
    });
  }
  if (
    typeof settings !== 'object' ||
    settings === null ||
    (settings.name !== undefined && typeof settings.name !== 'string')
  ) {
    throw new InvalidArgumentError({
      argument: 'settings',
      message:
        "createSwitchyard(router, settings): expected settings { name?: string } or nothing, e.g. { name: 'switchyard' }.",
    });
  }
  // A misspelt `nmae` would leave the default provider name without a word.
  const [unknown] = unknownSettingProblems(settings as Record<string, unknown>, { '': ['name'] });
  if (unknown) {
    throw new InvalidArgumentError({
      argument: 'settings',
      message: `createSwitchyard(router, settings): settings.${unknown.path}: ${unknown.message}.`,
    });
  }
  const provider = settings.name ?? 'switchyard';
  const languageModel = (modelId: SwitchyardModelId): SwitchyardLanguageModel => {
    if (modelId !== AUTO_MODEL_ID && !Object.hasOwn(router.targets, modelId)) {
      const known = [AUTO_MODEL_ID, ...Object.keys(router.targets)].map((name) => `"${name}"`).join(', ');
      throw new NoSuchModelError({
        modelId: String(modelId),
        modelType: 'languageModel',
        message: `No Switchyard model "${String(modelId)}": expected one of ${known}.`,
      });
    }
    return new SwitchyardLanguageModel(modelId, { provider, router });
  };
  const noSuch = (modelType: 'embeddingModel' | 'imageModel') => (modelId: string) => {
    throw new NoSuchModelError({ modelId, modelType });
  };
  return Object.assign((modelId: SwitchyardModelId) => languageModel(modelId), {
    specificationVersion: 'v4' as const,
    languageModel,
    embeddingModel: noSuch('embeddingModel'),
    imageModel: noSuch('imageModel'),
  });
}
