import type { OpenAITarget } from '@switchyard/adapter-openai';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { InvalidConfigError } from '@switchyard/contract';

/** A real GPU endpoint named by the `SWITCHYARD_REMOTE_*` variables. */
export interface RemoteTargetFromEnv {
  readonly target: OpenAITarget;
  /** `SWITCHYARD_REMOTE_URL`. */
  readonly baseURL: string;
  /** `SWITCHYARD_REMOTE_MODEL`. */
  readonly model: string;
}

/**
 * The remote target that `SWITCHYARD_REMOTE_URL` + `SWITCHYARD_REMOTE_MODEL` (+ `SWITCHYARD_REMOTE_API_KEY`) name,
 * or `undefined` when `SWITCHYARD_REMOTE_URL` is unset, so the app starts its stand-in instead. The sample apps read
 * these the same way, so a real endpoint is set up once for all of them.
 */
export function createRemoteTargetFromEnv(env: NodeJS.ProcessEnv): RemoteTargetFromEnv | undefined {
  const baseURL = env.SWITCHYARD_REMOTE_URL;
  if (!baseURL) return undefined;
  const model = env.SWITCHYARD_REMOTE_MODEL;
  if (!model) {
    throw new InvalidConfigError({
      problems: [
        {
          path: 'SWITCHYARD_REMOTE_MODEL',
          message: 'SWITCHYARD_REMOTE_URL is set, so name the model it serves in SWITCHYARD_REMOTE_MODEL',
        },
      ],
    });
  }
  const target = createOpenAITarget({
    baseURL,
    model,
    ...(env.SWITCHYARD_REMOTE_API_KEY ? { apiKey: env.SWITCHYARD_REMOTE_API_KEY } : {}),
  });
  return { target, baseURL, model };
}
