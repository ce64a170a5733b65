// Reads a V8 .cpuprofile and prints the functions with the most self time, and self time per package.
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const total = profile.samples.length;
for (const id of profile.samples) {
  const node = byId.get(id);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + 1);
}
const perPackage = new Map();
for (const [key, count] of self) {
  const match = /(@switchyard\/[\w-]+|packages\/[\w-]+|\.pnpm\/([^/]+)|node:[\w/]+|tooling\/[\w-]+)/.exec(key);
  const name = match ? (match[2] ?? match[1]) : key.startsWith('(') ? key.split(' ')[0] : 'other';
  perPackage.set(name, (perPackage.get(name) ?? 0) + count);
}
const show = (map, limit) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, count]) => `${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
console.log(`self time by package:\n${show(perPackage, 15)}\n\ntop functions:\n${show(self, 30)}`);
