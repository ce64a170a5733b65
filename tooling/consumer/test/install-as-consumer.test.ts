/**
 * Switchyard installed the way a user installs it, not through the workspace: every published package is packed
 * (`pnpm pack` resolves `workspace:` and `catalog:` ranges as publishing does), the tarballs are installed with npm
 * into a fresh project in a temporary directory, a consumer that imports every public entry point is typechecked with
 * `moduleResolution: bundler` and `node16`, and the root README's "Routing in 15 lines" example runs on Node 22 and on
 * Node 24 against loopback targets (the generated tiny model in process, llama.cpp's llama-server as the GPU). And
 * adapter-utils' README fault-suite example, the test file an adapter author outside this repository writes, runs with
 * vitest against the installed packages.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertFreshBuild, ensureTinyModel, type LlamaServer, startLlamaServer } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublishedPackage, publishedPackages } from '../../api-report/src/api-report.mjs';
import { ensureNode } from './ensure-node.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A published package as the api-report tool reads it, plus the tarball `pnpm pack` wrote. */
type Packed = PublishedPackage & { tarball?: string };

/** The README's routing example, pointed at loopback targets. */
function readmeExample(modelPath: string, serverURL: string, model: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Routing in 15 lines'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md: no ```ts block under "## Routing in 15 lines"');
  const source = match[1];
  const swapped = source
    .replace(/modelPath: '[^']+'/, `modelPath: ${JSON.stringify(modelPath)}`)
    .replace(/baseURL: '[^']+'/, `baseURL: ${JSON.stringify(serverURL)}`)
    .replace(/model: '[^']+'/, `model: ${JSON.stringify(model)}`);
  // Each swap must have happened, or the example changed shape and this test must learn the new one.
  expect(swapped.match(/modelPath: "/g)).toHaveLength(1);
  expect(swapped.match(/baseURL: "/g)).toHaveLength(1);
  return swapped;
}

/** adapter-utils' README example "Testing your adapter against faults": a vitest test file. */
function faultSuiteExample(): string {
  const readme = readFileSync(join(root, 'packages', 'adapter-utils', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Testing your adapter against faults'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1])
    throw new Error('adapter-utils/README.md: no ```ts block under "## Testing your adapter against faults"');
  return match[1];
}

/** A consumer that imports every entry point and uses the main API with its types. */
function consumerSource(packages: Packed[]): string {
  const lines = packages
    .flatMap((pkg) => pkg.entries)
    .map((entry, index) => `import * as entry${index} from '${entry.specifier}';`);
  lines.push(
    `export const entries = [${packages
      .flatMap((pkg) => pkg.entries)
      .map((_, index) => `entry${index}`)
      .join(', ')}];`,
    readFileSync(join(root, 'tooling', 'consumer', 'fixture', 'usage.ts'), 'utf8'),
  );
  return lines.join('\n');
}

describe('Switchyard installed from packed tarballs with npm, outside the workspace', () => {
  const packages: Packed[] = publishedPackages(root);
  let work: string;
  let app: string;
  let server: LlamaServer;
  let modelPath: string;

  beforeAll(async () => {
    // What is packed is each package's dist/: a stale one would be installed and tested instead of the sources.
    for (const pkg of packages) assertFreshBuild(pkg.dir, { entries: [], command: 'pnpm build' });
    work = mkdtempSync(join(tmpdir(), 'switchyard-consumer-'));
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const pkg of packages) {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg.dir });
      const file = stdout.trim().split('\n').at(-1)?.trim() ?? '';
      pkg.tarball = file.startsWith('/') ? file : join(tarballs, file.split('/').at(-1) ?? file);
      expect(existsSync(pkg.tarball), `${pkg.name}: pnpm pack wrote ${file}`).toBe(true);
    }

    app = join(work, 'app');
    mkdirSync(app);
    // The CUDA and Vulkan builds of llama.cpp are ~540 MB a user with a GPU wants and this CPU-only check does not.
    const empty = join(work, 'empty-optional');
    mkdirSync(empty);
    writeFileSync(join(empty, 'package.json'), JSON.stringify({ name: 'empty-optional', version: '0.0.0' }));
    const skipped = ['linux-x64-cuda', 'linux-x64-cuda-ext', 'linux-x64-vulkan'].map(
      (name) => `@node-llama-cpp/${name}`,
    );
    const fileSpec = (path: string) => `file:${relative(app, path)}`;
    const dependencies = Object.fromEntries(packages.map((pkg) => [pkg.name, fileSpec(pkg.tarball as string)]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'switchyard-consumer',
          private: true,
          type: 'module',
          // @types/json-schema: `@ai-sdk/provider`'s own declarations import 'json-schema' types without depending on
          // them, so any app compiling with skipLibCheck off needs it (an AI SDK matter, not ours).
          dependencies: { ...dependencies, '@types/node': '^22.12.0', '@types/json-schema': '^7.0.15' },
          // Published packages depend on each other by version; here they must come from the tarballs too.
          overrides: { ...dependencies, ...Object.fromEntries(skipped.map((name) => [name, fileSpec(empty)])) },
        },
        null,
        2,
      ),
    );
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      maxBuffer: 16 * 1024 * 1024,
    });

    modelPath = await ensureTinyModel();
    server = await startLlamaServer({ modelPath, parallel: 1 });
  });

  afterAll(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs every published package with its dist, README and no workspace: or catalog: ranges', () => {
    expect(packages.length).toBeGreaterThan(5);
    for (const pkg of packages) {
      const manifest = JSON.parse(
        readFileSync(join(app, 'node_modules', ...pkg.name.split('/'), 'package.json'), 'utf8'),
      ) as Record<string, Record<string, string> | undefined>;
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
      for (const [dependency, range] of Object.entries(ranges)) {
        expect(range, `${pkg.name} → ${dependency}`).not.toMatch(/^(workspace|catalog):/);
      }
      expect(existsSync(join(app, 'node_modules', ...pkg.name.split('/'), 'dist')), pkg.name).toBe(true);
      expect(existsSync(join(app, 'node_modules', ...pkg.name.split('/'), 'README.md')), pkg.name).toBe(true);
    }
  });

  it.each(['bundler', 'node16'] as const)(
    'typechecks a consumer of every entry point with moduleResolution %s',
    async (resolution) => {
      const dir = join(app, `typecheck-${resolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'consumer.ts'), consumerSource(packages));
      const compilerOptions = {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: 'ES2023',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        ...(resolution === 'bundler'
          ? { module: 'ESNext', moduleResolution: 'Bundler' }
          : { module: 'Node16', moduleResolution: 'Node16' }),
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await run(process.execPath, [tsc, '-p', dir], { cwd: app }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(result).toBe('');
    },
  );

  it('resolves every exported data file to valid JSON through the package exports', async () => {
    const data = packages.flatMap((pkg) => pkg.dataEntries);
    expect(data).toContain('@switchyard/server/config.schema.json');
    for (const specifier of data) {
      const script = `const m = await import(${JSON.stringify(specifier)}, { with: { type: 'json' } }); console.log(typeof m.default);`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
      expect(stdout.trim(), specifier).toBe('object');
    }
  });

  it("runs adapter-utils' README fault-suite example with vitest: all 11 checks pass through the published proxy", async () => {
    const dir = join(app, 'fault-suite');
    mkdirSync(dir);
    writeFileSync(join(dir, 'my-adapter-faults.test.ts'), faultSuiteExample());
    // The app has no vitest of its own (npm installs nothing from the network here): this package's, linked in, so the
    // example and the installed `@switchyard/contract/testing` load the same vitest as the runner.
    const vitest = realpathSync(join(root, 'tooling', 'consumer', 'node_modules', 'vitest'));
    symlinkSync(vitest, join(app, 'node_modules', 'vitest'), 'dir');
    const { stdout } = await run(process.execPath, [join(vitest, 'vitest.mjs'), 'run', '--root', dir], {
      cwd: dir,
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/Tests\s+11 passed \(11\)/);
  });

  it.each([22, 24])('runs the README routing example on Node %i against loopback targets', async (major) => {
    const node = await ensureNode(major);
    const example = join(app, 'readme-example.mjs');
    writeFileSync(example, readmeExample(modelPath, server.baseURL, server.model));
    const { stdout } = await run(node, [example], {
      cwd: app,
      timeout: 60_000,
      env: { ...process.env, GPU_API_KEY: 'unused' },
    });
    // `console.log(answer.text, answer.route.target, answer.route.plan.explanation)`: prefer-local picks the device.
    expect(stdout).toMatch(/\bdevice\b/);
    const version = (await run(node, ['--version'])).stdout.trim();
    expect(version.startsWith(`v${major}.`)).toBe(true);
  });
});
