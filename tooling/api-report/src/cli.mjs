#!/usr/bin/env node
// `pnpm api-report` rewrites every published package's <name>.api.md from its built declarations;
// `--check` only compares and exits 1 naming the stale ones.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiReport, publishedPackages, reportPath } from './api-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const check = process.argv.includes('--check');
const stale = [];
for (const pkg of publishedPackages(root)) {
  const path = reportPath(pkg);
  const report = apiReport(pkg);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === report) continue;
  if (check) stale.push(relative(root, path));
  else {
    writeFileSync(path, report);
    console.log(`wrote ${relative(root, path)}`);
  }
}
if (stale.length > 0) {
  console.error(
    `API reports out of date: ${stale.join(', ')}. Build, then run \`pnpm api-report\` and review the diff.`,
  );
  process.exit(1);
}
