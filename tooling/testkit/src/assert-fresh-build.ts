import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** What {@link assertFreshBuild} checks beyond the source maps. */
export interface FreshBuildOptions {
  /** Files the test runs or reads, relative to the package (`dist/main.js`): each must exist. */
  entries: string[];
  /** Files the build copies as they are, `[source, copy]` relative to the package: each copy must equal its source. */
  copies?: Array<[source: string, copy: string]>;
  /** The command the message tells to run. Default `pnpm turbo run build --filter <the package>...`. */
  command?: string;
}

/** One way the built output differs from the sources on disk, e.g. `apps/demo/src/main.ts changed`. */
interface Staleness {
  built: string;
  reason: string;
}

interface SourceMap {
  sourceRoot?: string;
  sources?: string[];
  sourcesContent?: Array<string | null>;
}

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

interface Manifest {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  exports?: unknown;
  main?: string;
  bin?: string | Record<string, string>;
}

function readManifest(packageDir: string): Manifest {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
}

/** The package's directory and those of the workspace packages it depends on at run time, transitively. */
function workspaceClosure(packageDir: string): string[] {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const [name, spec] of Object.entries(readManifest(dir).dependencies ?? {})) {
      if (!spec.startsWith('workspace:')) continue;
      const linked = join(dir, 'node_modules', name);
      if (existsSync(linked)) visit(realpathSync(linked));
    }
  };
  visit(realpathSync(packageDir));
  return [...seen];
}

/** The JavaScript files a package's manifest points at (`exports` under every condition, `main`, `bin`). */
function manifestEntries(manifest: Manifest): string[] {
  const found: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === 'string') {
      if (/\.m?js$/.test(value)) found.push(value);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) collect(inner);
    }
  };
  collect([manifest.exports, manifest.main, manifest.bin]);
  return found;
}

/** Relative module specifiers in built JavaScript: `from"./chunk-X.js"`, `import("./x.js")`, `import "./x.js"`. */
const relativeImport = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g;

/**
 * The built files that run from `starts`, following relative imports: only these count, so chunks an older build
 * left in `dist/` (tsup without `clean`, or a turbo cache replay) do not make a fresh build look stale.
 */
function liveFiles(packageDir: string, starts: string[]): { live: string[]; missing: string[] } {
  const live = new Set<string>();
  const missing: string[] = [];
  const pending = starts.map((start) => resolve(packageDir, start));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (live.has(file)) continue;
    if (!existsSync(file)) {
      missing.push(file);
      continue;
    }
    live.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(relativeImport)) {
      const target = resolve(dirname(file), match[1] ?? '');
      if (/\.m?js$/.test(target) && !live.has(target)) pending.push(target);
    }
  }
  return { live: [...live], missing };
}

/**
 * Throws, naming the build command, when a package's built output is missing or was built from other sources than
 * the ones on disk: the files that run from the package's `entries` and manifest, and from the manifests of the
 * workspace packages it depends on at run time, following their relative imports.
 *
 * For tests that start `node dist/main.js` or read `dist/` files: `pnpm test` builds first, but a bare
 * `pnpm vitest run` on a stale build otherwise waits out their long timeouts (a page that never gets ready) before
 * failing with nothing that names the cause. It compares contents, not times: every source map tsup writes holds the
 * text of each source it was built from (`sourcesContent`), and turbo's cache replays a build without rewriting
 * `dist/`, so a checkout that only touched file times would look stale to an mtime check that `pnpm build` cannot fix.
 * Reads those files' maps and the sources they name (not `node_modules`); tens of milliseconds.
 *
 * @example
 * ```ts
 * beforeAll(() => assertFreshBuild(fileURLToPath(new URL('..', import.meta.url)), { entries: ['dist/main.js'] }));
 * ```
 */
export function assertFreshBuild(packageDir: string, options: FreshBuildOptions): void {
  const root = findRepoRoot(resolve(packageDir));
  const shown = (file: string) => relative(root, file) || file;
  const name = readManifest(packageDir).name ?? shown(packageDir);
  const fix = options.command
    ? `run \`${options.command}\` (\`pnpm test\` builds first)`
    : `run \`pnpm turbo run build --filter ${name}...\` (or \`pnpm build\`; \`pnpm test\` builds first)`;

  const missing = options.entries.filter((entry) => !existsSync(join(packageDir, entry)));
  if (missing.length > 0) {
    throw new Error(`${missing.map((entry) => shown(join(packageDir, entry))).join(', ')} missing: ${fix}.`);
  }

  const stale: Staleness[] = [];
  const texts = new Map<string, string | undefined>();
  const textOf = (file: string) => {
    if (!texts.has(file)) texts.set(file, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    return texts.get(file);
  };
  for (const [source, copy] of options.copies ?? []) {
    if (textOf(join(packageDir, source)) !== textOf(join(packageDir, copy))) {
      stale.push({ built: shown(join(packageDir, copy)), reason: `${shown(join(packageDir, source))} changed` });
    }
  }
  for (const dir of workspaceClosure(packageDir)) {
    const manifest = readManifest(dir);
    // A package without a build runs from its sources.
    if (manifest.scripts?.build === undefined) continue;
    const starts = [...manifestEntries(manifest), ...(dir === realpathSync(packageDir) ? options.entries : [])];
    const { live, missing } = liveFiles(dir, starts);
    if (missing.length > 0) throw new Error(`${missing.map(shown).join(', ')} missing: ${fix}.`);
    for (const mapFile of live.map((file) => `${file}.map`).filter((file) => existsSync(file))) {
      const map: SourceMap = JSON.parse(readFileSync(mapFile, 'utf8'));
      for (const [index, source] of (map.sources ?? []).entries()) {
        const built = map.sourcesContent?.[index];
        if (typeof built !== 'string') continue;
        const file = resolve(dirname(mapFile), map.sourceRoot ?? '', source);
        // Only the repository's own sources: installed packages change with the lockfile, not with an edit.
        if (!file.startsWith(`${root}${sep}`) || file.includes(`${sep}node_modules${sep}`)) continue;
        const now = textOf(file);
        if (now !== built) {
          stale.push({ built: shown(mapFile), reason: `${shown(file)} ${now === undefined ? 'is gone' : 'changed'}` });
        }
      }
    }
    // One package's report is enough to act on; the fix rebuilds them all.
    if (stale.length > 0) break;
  }
  if (stale.length > 0) {
    const first = stale.slice(0, 3).map((item) => `${item.reason} since ${item.built} was built`);
    const more = stale.length > 3 ? ` (and ${stale.length - 3} more)` : '';
    throw new Error(`The build of ${name} is stale: ${first.join('; ')}${more}. To fix it, ${fix}.`);
  }
}
