// Its own module (no Node built-ins) so the page's in-browser runtime can show it too.

/** How to swap the stand-ins for real models; printed on the console and shown in the page. */
export const realTargetsHelp: readonly string[] = alignColumns([
  ['SWITCHYARD_LOCAL_MODEL=/path/to/model.gguf', 'an on-device GGUF model (llama.cpp)'],
  ['SWITCHYARD_REMOTE_URL=http://host:8000/v1', 'any OpenAI-compatible endpoint (vLLM, NIM, llama-server, a cloud)'],
  ['SWITCHYARD_REMOTE_MODEL=<model name>', 'the model that endpoint serves'],
  ['SWITCHYARD_REMOTE_API_KEY=<key>', 'sent as a bearer token (optional)'],
  ['--config switchyard.config.json', 'targets and policy from a config file (see @switchyard/server)'],
]);

function alignColumns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, right]) => `${left.padEnd(width)}${right}`);
}
