import { createHash, timingSafeEqual } from 'node:crypto';
import type { StateStore, Usage } from '@switchyard/contract';
import type { HttpError } from './http-errors.js';
import { httpError } from './http-errors.js';

/** What one API key may use; every limit is shared by all gateway replicas that share the state store. */
export interface ApiKeyLimits {
  /** Requests per fixed one-minute window. */
  requestsPerMinute?: number;
  /** Prompt plus completion tokens per fixed one-minute window (counted when an answer ends). */
  tokensPerMinute?: number;
  /** Dollars per UTC day (the route's cost, counted when an answer ends). */
  spendPerDayUsd?: number;
}

/** An API key the gateway accepts. Only its SHA-256 digest is kept, never the key. */
export interface ApiKey {
  /** Shown in logs and limit messages (never the key). */
  name: string;
  /** Hex SHA-256 of the key, as {@link hashApiKey} returns it. */
  sha256: string;
  limits?: ApiKeyLimits;
}

/**
 * The hex SHA-256 digest of an API key, the form the gateway stores (`gateway.keys[].sha256`). API keys are long random
 * strings, so a plain digest is enough: it is not a password hash.
 *
 * @example
 * ```ts
 * hashApiKey('sk-team-a-…'); // '3f1c…' → { "name": "team-a", "sha256": "3f1c…" }
 * ```
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const minute = 60_000;

/**
 * Finds which key a bearer token is, comparing its digest with every stored digest in constant time and without
 * stopping at a match, so the answer time says nothing about which key (or how much of one) was close.
 */
export function matchApiKey(token: string, keys: ReadonlyArray<{ digest: Buffer; key: ApiKey }>): ApiKey | undefined {
  const presented = createHash('sha256').update(token).digest();
  let found: ApiKey | undefined;
  for (const entry of keys) {
    if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.key;
  }
  return found;
}

/** Digests as buffers, checked once, for {@link matchApiKey}. */
export function prepareApiKeys(keys: readonly ApiKey[]): Array<{ digest: Buffer; key: ApiKey }> {
  return keys.map((key, index) => {
    if (!/^[0-9a-f]{64}$/i.test(key.sha256)) {
      throw new TypeError(`keys[${index}].sha256: expected 64 hex characters, the SHA-256 of the key (hashApiKey)`);
    }
    return { digest: Buffer.from(key.sha256, 'hex'), key };
  });
}

/**
 * Per-key limits through a `StateStore` (fixed windows, atomic counters), so replicas that share the store enforce one
 * limit together. `admit` runs before a request is routed; `record` adds what the answer used once it ends.
 */
export class ApiKeyLimiter {
  constructor(
    private readonly store: StateStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `undefined` to let the request through, else the 429 to answer with (with `Retry-After`). */
  async admit(key: ApiKey): Promise<HttpError | undefined> {
    const limits = key.limits;
    if (limits === undefined) return undefined;
    const now = this.clock();
    if (limits.requestsPerMinute !== undefined) {
      const counter = await this.store.incrementCounter({
        key: `limit:${key.name}:requests`,
        amount: 1,
        windowMs: minute,
      });
      if (counter.count > limits.requestsPerMinute) {
        return tooMany(`${limits.requestsPerMinute} requests per minute`, key, counter.resetAtMs - now);
      }
    }
    if (limits.tokensPerMinute !== undefined) {
      const counter = await this.store.incrementCounter({
        key: `limit:${key.name}:tokens`,
        amount: 0,
        windowMs: minute,
      });
      if (counter.count >= limits.tokensPerMinute) {
        return tooMany(`${limits.tokensPerMinute} tokens per minute`, key, counter.resetAtMs - now);
      }
    }
    if (limits.spendPerDayUsd !== undefined) {
      const { name, windowMs } = dayWindow(key, now);
      const counter = await this.store.incrementCounter({ key: name, amount: 0, windowMs });
      if (counter.count >= limits.spendPerDayUsd) {
        return tooMany(`$${limits.spendPerDayUsd} per day`, key, nextUtcDay(now) - now);
      }
    }
    return undefined;
  }

  /** Adds an answer's tokens and cost to the key's windows. Never throws: a lost count must not fail the answer. */
  record(key: ApiKey, usage: Usage | undefined, costUsd: number): void {
    const limits = key.limits;
    if (limits === undefined) return;
    const writes: Promise<unknown>[] = [];
    const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
    if (limits.tokensPerMinute !== undefined && tokens > 0) {
      writes.push(this.store.incrementCounter({ key: `limit:${key.name}:tokens`, amount: tokens, windowMs: minute }));
    }
    if (limits.spendPerDayUsd !== undefined && costUsd > 0) {
      const { name, windowMs } = dayWindow(key, this.clock());
      writes.push(this.store.incrementCounter({ key: name, amount: costUsd, windowMs }));
    }
    for (const write of writes) write.catch(() => undefined);
  }
}

function nextUtcDay(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

/** The day's counter key (the date is in the key, so the window is the calendar day whatever its first write). */
function dayWindow(key: ApiKey, now: number): { name: string; windowMs: number } {
  const day = new Date(now).toISOString().slice(0, 10);
  return { name: `limit:${key.name}:spend:${day}`, windowMs: nextUtcDay(now) - now + 3_600_000 };
}

function tooMany(limit: string, key: ApiKey, retryAfterMs: number): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return httpError(429, `Rate limit reached for API key "${key.name}": ${limit}; retry after ${seconds} s`, {
    type: 'requests',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(seconds) },
  });
}
