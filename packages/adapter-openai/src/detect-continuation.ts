/**
 * Which OpenAI-compatible server is behind a base URL, and whether (and how) it continues a final assistant message
 * instead of starting a new one. Mid-stream failover needs it: a target that continues the partial answer lets the
 * router carry on without sending text twice. Each server says who it is on a route of its own, so detection reads
 * a few small JSON documents once per target; anything unknown counts as "cannot continue", never as "can".
 */

/** The servers told apart, or `unknown`. */
export type OpenAIServerKind = 'llama.cpp' | 'vllm' | 'sglang' | 'tgi' | 'ollama' | 'unknown';

/** What detection found. */
export interface ContinuationSupport {
  server: OpenAIServerKind;
  /** The server's version, when it reports one. */
  version?: string;
  /** Whether the server continues a final assistant message (what the router's mid-stream failover needs). */
  continuation: boolean;
  /** Body fields a continuing request adds (vLLM: `continue_final_message: true, add_generation_prompt: false`). */
  continuationBody: Record<string, unknown>;
}

/**
 * The routes read, relative to the server's root (the base URL without a trailing `/v1`):
 * - llama.cpp's `llama-server`: `GET /props` (`default_generation_settings`, `total_slots`); continues a final
 *   assistant message unless started with `--no-prefill-assistant` (reported by newer builds as
 *   `prefill_assistant: false`).
 * - vLLM: `GET /v1/models` entries `owned_by: "vllm"`, version from `GET /version`; `continue_final_message` since 0.6.3.
 * - SGLang: `GET /get_model_info` (`model_path`), version from `GET /get_server_info`; `continue_final_message`
 *   since 0.4.4.
 * - TGI: `GET /info` (`model_id`, `router: "text-generation-router"`); `continue_final_message` since 3.0.0.
 * - Ollama: `GET /api/version`; its OpenAI endpoint continues a final assistant message since 0.5.0.
 */
export const detectionPaths = {
  props: '/props',
  info: '/info',
  ollamaVersion: '/api/version',
  sglangModelInfo: '/get_model_info',
  sglangServerInfo: '/get_server_info',
  version: '/version',
} as const;

/** vLLM's (and transformers') way to continue a final assistant message; `continueFinalMessage: true` sends it. */
export const vllmContinuationBody: Readonly<Record<string, unknown>> = Object.freeze({
  continue_final_message: true,
  add_generation_prompt: false,
});

/** Reads JSON from a path under the server's root; `undefined` for any failure (404, not JSON, refused). */
export type ReadJSON = (path: string) => Promise<unknown>;

type JSONObject = Record<string, unknown>;

function asObject(value: unknown): JSONObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JSONObject) : undefined;
}

function stringField(value: unknown, field: string): string | undefined {
  const found = asObject(value)?.[field];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/** Compares dotted versions numerically on their leading numbers (`0.6.3.post1` ≥ `0.6.3`); unparsable → false. */
export function versionAtLeast(version: string | undefined, minimum: string): boolean {
  if (version === undefined) return false;
  const parse = (text: string) => /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  const have = parse(version);
  const want = parse(minimum);
  if (!have || !want) return false;
  for (let index = 1; index <= 3; index += 1) {
    const a = Number(have[index] ?? 0);
    const b = Number(want[index] ?? 0);
    if (a !== b) return a > b;
  }
  return true;
}

function support(
  server: OpenAIServerKind,
  version: string | undefined,
  continuation: boolean,
  continuationBody: Record<string, unknown> = {},
): ContinuationSupport {
  return {
    server,
    ...(version === undefined ? {} : { version }),
    continuation,
    continuationBody: continuation ? continuationBody : {},
  };
}

/**
 * Detects the server type and its continuation support. `read` gets JSON from a path under the server's root,
 * `readModels` the `GET <baseURL>/models` list. Routes are read at most once, the first five in parallel; a route a
 * server does not serve is simply absent.
 */
export async function detectContinuation(
  read: ReadJSON,
  readModels: () => Promise<unknown>,
): Promise<ContinuationSupport> {
  const [props, info, ollama, sglangModel, models] = await Promise.all([
    read(detectionPaths.props),
    read(detectionPaths.info),
    read(detectionPaths.ollamaVersion),
    read(detectionPaths.sglangModelInfo),
    readModels(),
  ]);

  const settings = asObject(props);
  if (settings && ('default_generation_settings' in settings || 'total_slots' in settings)) {
    const build = asObject(settings.build_info);
    const version = stringField(settings, 'build_info') ?? stringField(build, 'version');
    return support('llama.cpp', version, settings.prefill_assistant !== false);
  }

  const tgi = asObject(info);
  if (
    tgi &&
    typeof tgi.model_id === 'string' &&
    (tgi.router === 'text-generation-router' || 'max_input_tokens' in tgi)
  ) {
    const version = stringField(tgi, 'version');
    return support('tgi', version, versionAtLeast(version, '3.0.0'), { continue_final_message: true });
  }

  const ollamaVersion = stringField(ollama, 'version');
  if (ollamaVersion !== undefined) return support('ollama', ollamaVersion, versionAtLeast(ollamaVersion, '0.5.0'));

  const modelList: unknown = asObject(models)?.data;
  const owners = new Set((Array.isArray(modelList) ? modelList : []).map((entry) => stringField(entry, 'owned_by')));
  if (stringField(sglangModel, 'model_path') !== undefined || owners.has('sglang')) {
    const version =
      stringField(await read(detectionPaths.sglangServerInfo), 'version') ??
      stringField(await read(detectionPaths.version), 'version');
    return support('sglang', version, versionAtLeast(version, '0.4.4'), { continue_final_message: true });
  }

  if (owners.has('vllm')) {
    const version = stringField(await read(detectionPaths.version), 'version');
    return support('vllm', version, versionAtLeast(version, '0.6.3'), vllmContinuationBody);
  }

  return support('unknown', undefined, false);
}
