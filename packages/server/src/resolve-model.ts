import type { Target } from '@switchyard/contract';
import { autoModel } from './openai-request.js';

/**
 * Which target a request's `model` names: `switchyard/auto` lets the router choose (`{}`); a target's name, its id
 * (`openai:meta/llama-3.1-70b-instruct`) or the model part of its id pins it (`{ pinned: name }`). Unknown names give
 * `undefined`.
 */
export function resolveModel(
  model: string,
  targets: Readonly<Record<string, Target>>,
): { pinned?: string } | undefined {
  if (model === autoModel) return {};
  if (Object.hasOwn(targets, model)) return { pinned: model };
  for (const [name, target] of Object.entries(targets)) {
    if (target.id === model || target.id.slice(target.id.indexOf(':') + 1) === model) return { pinned: name };
  }
  return undefined;
}
