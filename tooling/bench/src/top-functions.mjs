// Reads a V8 .cpuprofile and prints the functions with the most self time, and self time per package; with
// `--inclusive`, also the functions with the most inclusive time (a function's own time plus its callees', counted
// once per sample even when it recurses): where a cost spread over many small callees comes from.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const inclusive = args.includes('--inclusive');
// `--only <text>`: list only functions whose name or file contains the text (e.g. `packages/server`).
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const profile = JSON.parse(
  readFileSync(
    args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--only'),
    'utf8',
  ),
);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const keyOf = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[\w-]+(\/[\w-]+)?\//, '')}:${lineNumber + 1}`;
};
const self = new Map();
const whole = new Map();
const total = profile.samples.length;
for (const id of profile.samples) {
  const key = keyOf(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + 1);
  if (!inclusive) continue;
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) seen.add(keyOf(byId.get(at)));
  for (const each of seen) whole.set(each, (whole.get(each) ?? 0) + 1);
}
const perPackage = new Map();
for (const [key, count] of self) {
  const match = /(@switchyard\/[\w-]+|packages\/[\w-]+|\.pnpm\/([^/]+)|node:[\w/]+|tooling\/[\w-]+)/.exec(key);
  const name = match ? (match[2] ?? match[1]) : key.startsWith('(') ? key.split(' ')[0] : 'other';
  perPackage.set(name, (perPackage.get(name) ?? 0) + count);
}
const show = (map, limit) =>
  [...map]
    .filter(([key]) => only === undefined || map === perPackage || key.includes(only))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, count]) => `${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
console.log(`self time by package:\n${show(perPackage, 15)}\n\ntop functions:\n${show(self, 30)}`);
if (inclusive) console.log(`\ninclusive:\n${show(whole, 60)}`);
