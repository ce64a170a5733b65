import { type InputProblem, InvalidRequestError } from '@switchyard/contract';

/**
 * Where the router request's fields came from in one AI SDK call: what the provider needs to name a bad field the way
 * the caller wrote it (`maxOutputTokens`, `prompt[3]`), not the way the router reads it (`maxTokens`, `messages[4]`).
 */
export interface CallFields {
  /** For each router message, the index of the AI SDK prompt message it came from (a tool message may give several). */
  promptIndexOf: readonly number[];
  /** For each router tool, its index in the call's `tools` (provider-defined tools are left out of the request). */
  toolIndexOf: readonly number[];
  /** Where the router's target list came from: the model id (`languageModel('gpu')`) or the per-call options. */
  targetsFrom: 'modelId' | 'providerOptions';
}

/** Router request fields whose AI SDK call option has another name. */
const renamed: Record<string, string> = {
  maxTokens: 'maxOutputTokens',
  stop: 'stopSequences',
};

/** A prompt message's fields that exist under the same name in the AI SDK prompt; anything deeper is left out. */
const sameInPrompt = /^\.(role|content)(?:\[\d+\])?/;

/**
 * A router path (`messages[4].content`, `maxTokens`, `routing.deadlineMs`, `options.targets[0]`) as the AI SDK call
 * option it came from (`prompt[3].content`, `maxOutputTokens`, `providerOptions.switchyard.deadlineMs`, the model id).
 */
export function toAISDKPath(path: string, fields: CallFields): string {
  const message = /^messages\[(\d+)\](.*)$/.exec(path);
  if (message) {
    const index = fields.promptIndexOf[Number(message[1])];
    if (index === undefined) return 'prompt';
    return `prompt[${index}]${sameInPrompt.exec(message[2] ?? '')?.[0] ?? ''}`;
  }
  const target = /^options\.targets(\[\d+\])?/.exec(path);
  if (target) {
    return fields.targetsFrom === 'modelId' ? 'modelId' : `providerOptions.switchyard.targets${target[1] ?? ''}`;
  }
  const tool = /^tools\[(\d+)\](.*)$/.exec(path);
  if (tool) {
    const index = fields.toolIndexOf[Number(tool[1])];
    if (index === undefined) return 'tools';
    return `tools[${index}]${(tool[2] ?? '').replace(/^\.parameters/, '.inputSchema')}`;
  }
  if (path.startsWith('routing.')) return `providerOptions.switchyard.${path.slice('routing.'.length)}`;
  if (path === 'toolChoice.name') return 'toolChoice.toolName';
  const head = /^[A-Za-z]+/.exec(path)?.[0];
  if (head !== undefined && Object.hasOwn(renamed, head)) return renamed[head] + path.slice(head.length);
  return path;
}

/**
 * The router's `InvalidRequestError` with every field named as in the AI SDK call (see {@link toAISDKPath}), in its
 * problems and its message; the original is the `cause`. Anything else is returned as it is.
 */
export function inAISDKTerms(thrown: unknown, fields: CallFields): unknown {
  if (!InvalidRequestError.isInstance(thrown)) return thrown;
  const renames = new Map<string, string>();
  const problems: InputProblem[] = thrown.problems.map((problem) => {
    const path = toAISDKPath(problem.path, fields);
    if (path !== problem.path) renames.set(problem.path, path);
    return { ...problem, path };
  });
  if (renames.size === 0) return thrown;
  // Problems print as `path: message`: each path followed by its colon is replaced in one pass, so `messages[1]` never
  // matches inside `messages[10]` and a new name is never renamed again.
  const escaped = [...renames.keys()].map((path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const message = thrown.message.replace(
    new RegExp(`(${escaped.join('|')}):`, 'g'),
    (_match, path: string) => `${renames.get(path)}:`,
  );
  return new InvalidRequestError({ problems, message, cause: thrown, target: thrown.target });
}
