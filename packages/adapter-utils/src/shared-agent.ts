import { InvalidConfigError } from '@switchyard/contract';
import { Agent } from 'undici';

/**
 * Keep-alive defaults for every adapter's connection pool. Idle sockets are dropped after 4 s, under the 5 s after
 * which Node's http servers and llama-server (cpp-httplib) close an idle connection: a client that waits longer reuses
 * a socket the server is closing, and the request fails with "other side closed". No cap on connections per origin
 * (undici's default): a gateway multiplexes many callers onto one upstream, and a hidden cap would queue a stream
 * behind minutes-long generations; a target that wants one sets `connections` or brings its own dispatcher.
 */
const agentDefaults = { keepAliveTimeout: 4000 } as const;

let shared: Agent | undefined;

/**
 * One keep-alive undici `Agent` for every target that brings no dispatcher of its own, so targets that talk to the
 * same host reuse connections. Created on first use; never closed by a target's `dispose()`.
 */
export function sharedAgent(): Agent {
  shared ??= new Agent(agentDefaults);
  return shared;
}

/** A target's own `Agent` with the shared defaults and `connections` per origin (closed by the target). */
export function createAgent(connections: number): Agent {
  // undici's Agent accepts any value here without a word (0, -1, 1.5, a string).
  if (!(Number.isSafeInteger(connections) && connections > 0)) {
    const got = typeof connections === 'number' ? `, got ${connections}` : '';
    const message = `expected a positive whole number of connections per origin, e.g. 8${got}`;
    throw new InvalidConfigError({ problems: [{ path: 'connections', message }] });
  }
  return new Agent({ ...agentDefaults, connections });
}
