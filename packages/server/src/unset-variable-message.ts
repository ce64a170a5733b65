import { nearestKey } from '@switchyard/adapter-utils';

/**
 * What to say about a secret's environment variable that is unset: its name, the fix, and a variable of a similar name
 * that is set (`OPENAI_API_KEY` for `OPENAI_KEY`, `gpu_key` for `GPU_KEY`), which is usually the mistake. Only names
 * are shown, never a value. Without `fix` the message ends after the name (and the hint).
 *
 * @example
 * ```ts
 * unsetVariableMessage('OPENAI_KEY', { OPENAI_API_KEY: 'sk-…' }, 'export it before starting');
 * // → 'the environment variable OPENAI_KEY is not set (OPENAI_API_KEY is: did you mean it?); export it before starting'
 * ```
 */
export function unsetVariableMessage(name: string, env: NodeJS.ProcessEnv, fix?: string): string {
  const set = Object.keys(env).filter((key) => key !== name && env[key] !== undefined && env[key] !== '');
  const similar = nearestKey(name, set);
  const hint = similar === undefined ? '' : ` (${similar} is: did you mean it?)`;
  return `the environment variable ${name} is not set${hint}${fix === undefined ? '' : `; ${fix}`}`;
}
