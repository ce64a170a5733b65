import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchyard/adapter-utils/testing';

/** A real `redis-server` on a loopback port, for tests. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kills the server at once (SIGKILL): an outage, as a crash would cause one. Resolves when it has exited. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered, like a hung or swapping server. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
  /** Starts it again on the same port, e.g. after `kill()`; with `persist` it comes back with every write it acknowledged. */
  restart(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whether `redis-server` is on PATH (Debian package `redis-server`; pretest installs it). */
export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function launch(port: number, dir: string | undefined): Promise<ChildProcess> {
  // No persistence, loopback only, no protected-mode surprises: a throwaway server for one test file.
  const persistence =
    dir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  return launchRedis(port, ['--save', '', ...persistence]);
}

/**
 * Starts `redis-server` with `args` on a loopback `port` and resolves once it answers PING. Killed when this process
 * exits. `cwd` is where it writes files (cluster node tables, a sentinel's config).
 */
export function launchRedis(port: number, args: string[], cwd?: string): Promise<ChildProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const sentinel = args[0]?.endsWith('.conf') === true;
  const child = spawn(
    'redis-server',
    sentinel ? args : ['--port', String(port), '--bind', '127.0.0.1', ...args, '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port} within 10 s:\n${output}`));
    }, 10_000);
    const check = async () => {
      if (await accepts(port)) {
        clearTimeout(timer);
        resolve(child);
      } else if (child.exitCode === null) {
        setTimeout(check, 20);
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new Error(`redis-server could not be started (${error.message}); install the Debian package redis-server`),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
    void check();
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a group of redis processes (a cluster's nodes, a primary and its Sentinel) with a temporary folder named
 * after `prefix`: `launch` pushes each process it starts into `children` and returns what the group's users need.
 * When it throws, what it started is killed and the folder removed; the group's `stop()` ends them (SIGTERM) and
 * removes the folder.
 */
export async function startRedisGroup<T extends object>(
  prefix: string,
  launch: (dir: string, children: ChildProcess[]) => Promise<T>,
): Promise<T & { stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  try {
    const group = await launch(dir, children);
    return {
      ...group,
      async stop() {
        for (const child of children) child.kill('SIGTERM');
        await Promise.all(children.map(exited));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts `redis-server` on a free loopback port. Stop it in `afterAll`; an exit hook kills any left behind.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const store = await createRedisStateStore({ url: redis.url });
 * await redis.kill(); // an outage
 * await redis.restart();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  // An append-only file synced on every write: a SIGKILL loses nothing Redis acknowledged, as with a durable deployment.
  const dir = options.persist ? mkdtempSync(join(tmpdir(), 'switchyard-redis-')) : undefined;
  let child: ChildProcess | undefined = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async kill() {
      if (!child) return;
      const current = child;
      child = undefined;
      current.kill('SIGKILL');
      await exited(current);
    },
    async restart() {
      if (child) return;
      child = await launch(port, dir);
    },
    async stop() {
      if (!child) return;
      const current = child;
      child = undefined;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
      await exited(current);
      clearTimeout(timer);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
