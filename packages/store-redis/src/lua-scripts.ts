/**
 * The store's Lua scripts. Each one reads and writes a single key inside Redis, so it runs atomically there (no other
 * command interleaves) and works on Cluster as well (one key, one slot). Numbers leave the scripts as strings: Redis
 * turns a Lua number reply into an integer, which would truncate dollars.
 *
 * Time comes from the server (`TIME`) so that replicas with skewed clocks agree on when a reservation expires.
 * A budget is a hash: `spent` holds settled dollars, `r:<id>` an open reservation as `<amount>:<expiresAtMs>`.
 */

const now = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Sums the live reservations of budget hash KEYS[1], dropping expired ones; sets `spent` and `reserved`. */
const budgetState = `local spent = 0
local reserved = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local field = fields[i]
  if field == 'spent' then
    spent = tonumber(fields[i + 1])
  else
    local value = fields[i + 1]
    local sep = string.find(value, ':', 1, true)
    if tonumber(string.sub(value, sep + 1)) <= now then
      redis.call('HDEL', KEYS[1], field)
    else
      reserved = reserved + tonumber(string.sub(value, 1, sep - 1))
    end
  end
end
`;

/** Extends KEYS[1]'s life to at least ARGV[ttlIndex] ms; never shortens it. */
const extendKey = (ttlArg: string) => `local ttl = tonumber(${ttlArg})
local current = redis.call('PTTL', KEYS[1])
if current >= 0 and current < ttl or current == -1 then redis.call('PEXPIRE', KEYS[1], ttl) end
`;

/** KEYS[1] budget; ARGV: reservationId, amountUsd, limitUsd, reservationTtlMs, keyTtlMs → {granted, spent, reserved}. */
export const reserveScript = `${now}${budgetState}
local amount = tonumber(ARGV[2])
if spent + reserved + amount > tonumber(ARGV[3]) then
  return {0, tostring(spent), tostring(reserved)}
end
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[2] .. ':' .. (now + tonumber(ARGV[4])))
${extendKey('ARGV[5]')}
return {1, tostring(spent), tostring(reserved + amount)}
`;

/**
 * KEYS[1] budget; ARGV: reservationId, actualUsd, keyTtlMs, onlyIfHeld → {spent, reserved}. With onlyIfHeld `1` the
 * spend is added only if the hold was still there: the replay of a settle Redis may already have run (it was sent, and
 * answered too late), which must not count the same dollars twice.
 */
export const settleScript = `${now}
local held = redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1])
if tonumber(ARGV[2]) ~= 0 and (held == 1 or ARGV[4] ~= '1') then
  redis.call('HINCRBYFLOAT', KEYS[1], 'spent', ARGV[2])
end
${extendKey('ARGV[3]')}
${budgetState}
return {tostring(spent), tostring(reserved)}
`;

/** KEYS[1] budget; ARGV: reservationId → {spent, reserved}. */
export const releaseScript = `${now}
redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1])
${budgetState}
return {tostring(spent), tostring(reserved)}
`;

/** KEYS[1] budget → {spent, reserved}. */
export const readBudgetScript = `${now}${budgetState}
return {tostring(spent), tostring(reserved)}
`;

/**
 * KEYS[1] circuit; ARGV: untilMs, channel, logical key → the cooldown end after the write. Extends, never shortens;
 * publishes only when it changed something, so re-announcing an opening costs other replicas nothing.
 */
export const openCircuitScript = `${now}
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if current > now and current >= untilMs then return tostring(current) end
if untilMs <= now then return ARGV[1] end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
redis.call('PUBLISH', ARGV[2], '{"key":' .. cjson.encode(ARGV[3]) .. ',"openUntilMs":' .. ARGV[1] .. '}')
return ARGV[1]
`;

/** KEYS[1] circuit; ARGV: channel, logical key. */
export const closeCircuitScript = `redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], '{"key":' .. cjson.encode(ARGV[2]) .. ',"openUntilMs":null}')
return 1
`;

/** KEYS[1] counter; ARGV: amount, windowMs → {count, resetAtMs}. A fixed window that starts at the first increment. */
export const counterScript = `${now}
local count = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, tostring(now + ttl)}
`;

/** KEYS[1] list; ARGV: 1 (remote) or 0, capacity, ttlMs → {share, size}. */
export const remoteShareScript = `redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local remote = 0
for i = 1, #items do
  if items[i] == '1' then remote = remote + 1 end
end
return {tostring(remote / #items), #items}
`;

/**
 * KEYS[1] sorted set of live replicas; ARGV: replica id, ttlMs → how many replicas announced themselves within ttlMs
 * (this one included). Scores are Redis's time, so skewed replica clocks do not count a replica twice or not at all.
 */
export const presenceScript = `${now}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/** KEYS[1] sorted set of live replicas; ARGV: replica id. A replica that closes stops counting at once. */
export const leaveScript = `redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;
