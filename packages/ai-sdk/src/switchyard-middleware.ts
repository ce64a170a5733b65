import type { LanguageModelV4, LanguageModelV4Middleware } from '@ai-sdk/provider';
import { InvalidConfigError, unknownSettingProblems } from '@switchyard/contract';
import { createRouter, type Router, type RouterOptions } from '@switchyard/core';
import { type AISDKTargetSettings, checkAISDKTargetSettings, createAISDKTarget } from './create-ai-sdk-target.js';
import { AUTO_MODEL_ID, SwitchyardLanguageModel } from './switchyard-language-model.js';

/** Settings of {@link switchyardMiddleware}. */
export interface SwitchyardMiddlewareSettings {
  /**
   * The wrapped model as a Switchyard target: its name in the router (default `model`), and the settings
   * `createAISDKTarget` takes (`id`, `locality`, `capabilities`, `price`, `providerOptions`).
   */
  model: AISDKTargetSettings & { name?: string };
  /**
   * The router around it, as `createRouter` takes it: `targets` are the other targets (fallbacks, and where private
   * prompts go when the wrapped model is remote), plus `policy`, `signals`, `store`, `telemetry` and the rest.
   * The policy may name the wrapped model by `model.name`.
   */
  router: RouterOptions;
}

/** A `LanguageModelV4Middleware` that also owns the routers it made; `dispose()` releases them. */
export interface SwitchyardMiddleware extends LanguageModelV4Middleware {
  /** The router serving `model` (the model `wrapLanguageModel` was given, after any inner middleware), once called. */
  routerFor(model: LanguageModelV4): Router | undefined;
  /** Disposes every router this middleware made (not the targets you passed in). */
  dispose(): Promise<void>;
}

/**
 * An AI SDK middleware that adds Switchyard's routing to a model you already have: with `wrapLanguageModel`, every
 * `generateText` / `streamText` call goes through a Switchyard router whose targets are the wrapped model (made a
 * target with `createAISDKTarget`) and the router's other targets. So the wrapped model gets fallback (a failure
 * before the first token moves the call to the next target; a stream that breaks mid-way continues on a target that
 * can continue it), privacy routing (a private prompt, or one with personal data, runs only on local targets and
 * never reaches a remote wrapped model), budgets and device-aware decisions; the route is in
 * `providerMetadata.switchyard`, exactly as with `createSwitchyard`.
 *
 * The wrapped model is called with the request as Switchyard carries it: per-call settings that the Switchyard
 * request has no field for (provider-specific `providerOptions`, `headers`, `topK`, penalties, reasoning, provider
 * tools) are not passed on and come back as `unsupported` warnings; give the model's own provider options once, in
 * `model.providerOptions`. Text and tool calls come back; reasoning, sources and files do not.
 *
 * The router is made on the first call for each model the middleware wraps, so errors in `router` settings (other
 * than `model` and the target name, checked here) surface from that first call as `InvalidConfigError`.
 *
 * @example
 * ```ts
 * import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
 * import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
 * import { switchyardMiddleware } from '@switchyard/ai-sdk';
 * import { streamText, wrapLanguageModel } from 'ai';
 *
 * const gpu = createOpenAICompatible({ name: 'vllm', baseURL: 'http://127.0.0.1:8000/v1' }).chatModel('llama');
 * const model = wrapLanguageModel({
 *   model: gpu,
 *   middleware: switchyardMiddleware({
 *     model: { name: 'gpu', id: 'vllm:llama', locality: 'remote', capabilities: { continuation: true } },
 *     router: {
 *       targets: { device: createLlamaCppTarget({ modelPath: './models/small.gguf' }) },
 *       policy: { mode: 'prefer-remote', privacy: { detectPii: true, onDetected: 'local-only' } },
 *     },
 *   }),
 * });
 * const result = streamText({ model, prompt: 'Name three rail yards.' });
 * ```
 */
export function switchyardMiddleware(settings: SwitchyardMiddlewareSettings): SwitchyardMiddleware {
  // `model`'s own keys are checked with the target settings below (`name` is the middleware's).
  const unknown = unknownSettingProblems({ ...settings, model: undefined }, { '': ['model', 'router'] });
  if (unknown.length > 0) throw new InvalidConfigError({ problems: unknown });
  const { name = 'model', ...targetSettings } = settings?.model ?? ({} as SwitchyardMiddlewareSettings['model']);
  checkAISDKTargetSettings(targetSettings, 'model');
  const routerOptions = settings.router;
  if (typeof routerOptions !== 'object' || routerOptions === null || typeof routerOptions.targets !== 'object') {
    throw new InvalidConfigError({
      problems: [
        { path: 'router.targets', message: 'expected the other targets, e.g. { device: createLlamaCppTarget(…) }' },
      ],
    });
  }
  if (Object.hasOwn(routerOptions.targets, name)) {
    throw new InvalidConfigError({
      problems: [
        {
          path: `router.targets.${name}`,
          message: `"${name}" is the wrapped model's name; give the model another name (model.name) or rename this target`,
        },
      ],
    });
  }
  const routed = new Map<LanguageModelV4, SwitchyardLanguageModel>();
  const routers = new Map<LanguageModelV4, Router>();

  const routedFor = (model: LanguageModelV4): SwitchyardLanguageModel => {
    let language = routed.get(model);
    if (!language) {
      // The wrapped model first: with no policy preference, it stays the primary and the others are fallbacks.
      const router = createRouter({
        ...routerOptions,
        targets: { [name]: createAISDKTarget(model, targetSettings), ...routerOptions.targets },
      });
      language = new SwitchyardLanguageModel(AUTO_MODEL_ID, { provider: model.provider, router });
      routers.set(model, router);
      routed.set(model, language);
    }
    return language;
  };

  return {
    specificationVersion: 'v4',
    wrapGenerate: ({ params, model }) => routedFor(model).doGenerate(params),
    wrapStream: ({ params, model }) => routedFor(model).doStream(params),
    routerFor: (model) => routers.get(model),
    async dispose() {
      const all = [...routers.values()];
      routers.clear();
      routed.clear();
      await Promise.all(all.map((router) => router.dispose()));
    },
  };
}
