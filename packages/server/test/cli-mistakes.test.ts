import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { ensureBuiltCli, run, spawnCli, tempDir } from './cli-helpers.js';

// A new user's mistakes, each answered on stderr with the problem, where it is and the fix: exit 1, no stack trace,
// no secret. The config-file ones spawn the built CLI, since how Node reports a module it cannot import is the point.
const gpu = { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' };
const hello = { messages: [{ role: 'user', content: 'Hi' }] };
const noStack = /\n\s+at /;

describe('switchyard config files a new user gets wrong', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let request: string;

  beforeAll(async () => {
    await ensureBuiltCli();
    files = await tempDir();
    request = await files.json('request.json', hello);
  });
  afterAll(() => files?.remove());

  const plan = (config: string) => spawnCli(['plan', '--config', config, '--request', request], { cwd: files.dir });

  it.concurrent('a .js or .ts config that does not exist is "no such file", not a module-resolution stack', async () => {
    for (const name of ['switchyard.config.js', 'switchyard.config.ts']) {
      const result = await plan(name);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot read config file ${join(files.dir, name)}: no such file`);
      expect(result.stderr).not.toMatch(noStack);
    }
  });

  it.concurrent('a folder as --config names the config file inside it', async () => {
    const project = join(files.dir, 'project');
    await mkdir(project);
    await writeFile(join(project, 'switchyard.config.json'), JSON.stringify({ targets: { gpu } }));
    const result = await plan('project');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${project} is a folder, not a config file: pass the file in it, e.g. --config ${join(project, 'switchyard.config.json')}`,
    );
    expect(result.stderr).not.toMatch(noStack);
  });

  it.concurrent('a YAML config is refused by its extension', async () => {
    const result = await plan(await files.json('switchyard.config.yaml', 'targets: {}'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a config is a .json file or a .js/.mjs/.ts/.mts module exporting it; ".yaml"');
    expect(result.stderr).not.toMatch(noStack);
  });

  it.concurrent('a .ts config that throws is named with its message and line, without the CLI stack', async () => {
    const config = await files.json(
      'throws.config.ts',
      "const key: string | undefined = process.env.SY_NEVER_SET;\nif (!key) throw new Error('SY_NEVER_SET is missing');\nexport default { targets: {} };\n",
    );
    const result = await plan(config);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${config} failed while loading: Error: SY_NEVER_SET is missing (at ${config}:2:`);
    expect(result.stderr).not.toMatch(noStack);
  });

  it.concurrent('JSON with a comment says JSON has none, and never quotes the file (it may hold a secret)', async () => {
    const config = await files.json(
      'comments.json',
      '{ "targets": { "gpu": { "adapter": "openai", "baseURL": "http://127.0.0.1:9/v1", "model": "m",\n' +
        '  "apiKey": "sk-inline-secret-value" // TODO move to env\n} } }',
    );
    const leading = await files.json('leading.json', `// my config\n{ "apiKey": "sk-inline-secret-value" }`);
    for (const path of [config, leading]) {
      const result = await plan(path);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('JSON allows no comments; remove them or use a switchyard.config.ts');
      expect(result.stderr).toContain(
        path === config ? '(line 2 column 38)' : "Unexpected token '/' (line 1 column 1)",
      );
      expect(result.stderr).not.toContain('sk-inline');
      expect(result.stderr).not.toContain('my config');
    }
  });

  it.concurrent('JSON with a trailing comma says where and what to remove', async () => {
    const config = await files.json('trailing.json', '{ "targets": { "gpu": { "adapter": "openai", } } }');
    const result = await plan(config);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(line 1 column 46): JSON allows no comma after the last entry; remove it');
  });
});

describe('switchyard flags and commands a new user gets wrong', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    files = await tempDir();
  });
  afterAll(() => files?.remove());

  it('a misspelt command is answered with the one it most likely meant', async () => {
    expect((await run(['serv'])).stderr).toMatch(/^Unknown command "serv"; did you mean "serve"\?\n/);
    expect((await run(['pull', 'hf:a/b/c.gguf'])).stderr).toMatch(
      /^Unknown command "pull"; did you mean "models pull"\?/,
    );
    expect((await run(['eval'])).stderr).toMatch(/did you mean "eval-router" or "eval-privacy"\?/);
    expect((await run(['serv'])).code).toBe(1);
  });

  it('a flag before the command asks for the command, and never echoes a value given with =', async () => {
    const result = await run(['--auth-token=sk-secret-token', 'serve']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^missing command: --auth-token goes after one, e\.g\. switchyard serve --auth-token/,
    );
    expect(result.stderr).not.toContain('sk-secret');
  });

  it("a misspelt flag is named with the flag it meant and that command's usage, its value not echoed", async () => {
    const result = await run(['serve', '--auth-tokn=sk-secret-token']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^serve: unknown option --auth-tokn; did you mean --auth-token\?\n\nUsage: switchyard serve /,
    );
    expect(result.stderr).not.toContain('sk-secret');
    expect(result.stderr).not.toContain('eval-router');
  });

  it('--help of a command prints that command only, and exits 0', async () => {
    for (const command of ['serve', 'plan', 'models', 'doctor', 'eval-router', 'eval-privacy']) {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: switchyard ${command} `));
      expect(result.stdout.match(/^ {2}\S/gm)).toBeNull();
    }
  });

  it('models without pull or a URI says which is missing', async () => {
    expect((await run(['models'])).stderr).toMatch(/^models: missing subcommand; expected "pull"/);
    expect((await run(['models', 'pull'])).stderr).toMatch(
      /^models pull: <uri> is required, e\.g\. hf:owner\/repo\/file\.gguf/,
    );
  });

  it('a missing --config names the config file of the working directory, or says there is none', async () => {
    const none = await run(['doctor'], { cwd: files.dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `doctor: --config is required, e.g. --config switchyard.config.json (there is no switchyard.config.* in ${files.dir})`,
    );
    await files.json('switchyard.config.ts', 'export default { targets: {} };');
    const found = await run(['serve'], { cwd: files.dir });
    expect(found.stderr).toMatch(/^serve: --config is required, e\.g\. --config switchyard\.config\.ts\n/);
  });

  it('an adapter typo is answered with the adapter it meant', async () => {
    const config = await files.json('typo.json', { targets: { gpu: { ...gpu, adapter: 'opneai' } } });
    const result = await run(['plan', '--config', config, '--request', await files.json('r.json', hello)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'targets.gpu.adapter: expected one of "llamacpp", "openai", "ollama", "triton"; did you mean "openai"?',
    );
  });

  it('an API key variable exported under a similar name is named (the name only, never its value)', async () => {
    const config = await files.json('env.json', { targets: { gpu: { ...gpu, apiKey: { env: 'OPENAI_KEY' } } } });
    const env = { PATH: process.env.PATH, OPENAI_API_KEY: 'sk-secret-value' };
    const serve = await run(['serve', '--config', config, '--port', '0'], { env });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain(
      'targets.gpu.apiKey: the environment variable OPENAI_KEY is not set (OPENAI_API_KEY is: did you mean it?); export it before starting',
    );
    const doctor = await run(['doctor', '--config', config, '--skip-generate', '--timeout', '2000'], { env });
    expect(doctor.stdout + doctor.stderr).toContain('OPENAI_KEY is not set (OPENAI_API_KEY is: did you mean it?)');
    expect(serve.stderr + doctor.stdout + doctor.stderr).not.toContain('sk-secret');
  });

  it('a --host this machine does not have, or cannot resolve, says to pass one of its addresses', async () => {
    const config = await files.json('listen.json', { targets: { gpu } });
    for (const [host, said] of [
      ['192.0.2.1', 'is not an address of this machine'],
      ['nohost.invalid', 'is not a name this machine resolves'],
    ] as const) {
      const result = await run(['serve', '--config', config, '--host', host, '--port', '0']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`--host ${host} ${said}; pass`);
      expect(result.stderr).toContain('--host 127.0.0.1 (or 0.0.0.0 for every interface)');
    }
  });

  it('plan --request - at a terminal says it is waiting for JSON on standard input, and empty input is called empty', async () => {
    const config = await files.json('plan.json', { targets: { gpu } });
    const empty = Object.assign((async function* () {})(), { isTTY: true });
    const result = await run(['plan', '--config', config, '--request', '-'], { stdin: empty });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Reading the request from standard input: paste the JSON, then press Ctrl-D (pipe it in next time)\n' +
        'the request on standard input is not valid JSON: it is empty\n',
    );
    const folder = await run(['plan', '--config', config, '--request', files.dir]);
    expect(folder.stderr).toBe(`cannot read the request file ${files.dir}: it is a folder, not a file\n`);
    const missing = await run(['plan', '--config', config, '--request', 'nope.json'], { cwd: files.dir });
    expect(missing.stderr).toBe('cannot read the request file nope.json: no such file\n');
  });

  it('serve with a Redis store that does not answer says at startup that it serves on local state', async () => {
    // Loopback port 1: nothing listens there, as when Redis is not started or store.url has the wrong port.
    const config = await files.json('redis.json', {
      targets: { gpu },
      store: { type: 'redis', url: 'redis://127.0.0.1:1' },
    });
    const stop = new AbortController();
    const result = await run(['serve', '--config', config, '--port', '0'], {
      signal: stop.signal,
      onListening: () => stop.abort(),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('store degraded: Redis did not answer at startup; serving on local state');
  });

  it('two targets of the same name in a JSON config are named with both lines (JSON.parse keeps the second silently)', async () => {
    const config = await files.json(
      'twice.json',
      `{\n  "targets": {\n    "gpu": ${JSON.stringify(gpu)},\n    "gpu": ${JSON.stringify({ ...gpu, model: 'other' })}\n  }\n}`,
    );
    const result = await run(['plan', '--config', config, '--request', await files.json('r.json', hello)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration:\n  - targets.gpu: written twice (lines 3 and 4): JSON keeps only the second; remove one, or give each its own name\n',
    );
  });

  it('serve names, once it listens, a target that is not ready: a llamacpp model file that does not exist', async () => {
    const config = await files.json('no-model.json', {
      targets: { local: { adapter: 'llamacpp', modelPath: './nope.gguf' } },
    });
    const stop = new AbortController();
    let stderr = '';
    const code = await runCli(['serve', '--config', config, '--port', '0'], {
      stdout: { write: () => true },
      stderr: {
        write: (text: string) => {
          stderr += text;
          if (stderr.includes('is unavailable')) stop.abort();
          return true;
        },
      },
      signal: stop.signal,
    });
    expect(code).toBe(0);
    expect(stderr).toContain(
      `target local is unavailable: model file not found at ${join(files.dir, 'nope.gguf')}; download a GGUF model there`,
    );
    expect(stderr).toContain('(switchyard doctor says how to fix it)');
  });

  const planWithSignals = async (config: string, signals: string) =>
    run(['plan', '--config', config, '--request', await files.json('r.json', hello), '--signals', signals]);

  it('plan --signals: a misspelt key or target is named with the one it meant, under the signals file, not the config', async () => {
    const config = await files.json('signals-config.json', { targets: { gpu } });
    const signals = await files.json('signals.json', { devise: {}, targets: { gpux: { circuit: 'open' } } });
    const typo = await planWithSignals(config, signals);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      `Invalid signals file ${signals}:\n  - signals.devise: unknown setting; did you mean "device"?\n`,
    );
    const target = await files.json('signals-target.json', { targets: { gpux: { circuit: 'open' } } });
    const named = await planWithSignals(config, target);
    expect(named.stderr).toBe(
      `Invalid signals file ${target}:\n  - signals.targets.gpux: unknown target; did you mean "gpu"?\n`,
    );
  });

  it('two targets given the same id are named: a request naming that id could only ever reach the first', async () => {
    const config = await files.json('same-id.json', {
      targets: { gpu: { ...gpu, id: 'big' }, gpu2: { ...gpu, id: 'big' }, gpu3: gpu, gpu4: gpu },
    });
    const result = await run(['plan', '--config', config, '--request', await files.json('r.json', hello)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration:\n  - targets.gpu2.id: "big" is also the id of targets.gpu, which a request naming it would always reach; give each target its own id\n',
    );
  });

  it('an empty number (--port= or --min-confidence= with nothing after it) is refused, not read as 0', async () => {
    const config = await files.json('port.json', { targets: { gpu } });
    const port = await run(['serve', '--config', config, '--port=']);
    expect(port.code).toBe(1);
    expect(port.stderr).toBe('--port: expected a port number from 0 to 65535, got ""\n');
    const confidence = await run(['eval-privacy', '--min-confidence=']);
    expect(confidence.code).toBe(1);
    expect(confidence.stderr).toBe('eval-privacy: --min-confidence expects a number from 0 to 1, got ""\n');
  });

  it('eval-privacy names a data file that is missing or a folder in words, not ENOENT / EISDIR', async () => {
    const missing = await run(['eval-privacy', '--data', 'nope.jsonl'], { cwd: files.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`eval-privacy: cannot read --data ${join(files.dir, 'nope.jsonl')}: no such file\n`);
    const folder = await run(['eval-privacy', '--corpus', files.dir]);
    expect(folder.stderr).toBe(`eval-privacy: cannot read --corpus ${files.dir}: it is a folder, not a file\n`);
  });
});
