// Lua for KommoRateLimiter (rules: docs/architecture.md "Kommo request budget"). Every time is
// in microseconds of Redis' clock, one clock for every process.

/**
 * GCRA as slot reservation for the installation and, when the egress budget is on, for every
 * installation together. KEYS: installation tat, egress tat. ARGV: interval µs, egress interval µs
 * (0 = off), max wait µs (-1 = none). Returns {wait µs, slot µs}; wait < 0 means "not reserved,
 * the next slot is -wait µs away".
 */
export const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local egressInterval = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
if egressInterval > 0 then
  slot = math.max(slot, tonumber(redis.call('GET', KEYS[2]) or '0'))
end
local wait = slot - now
if maxWait >= 0 and wait > maxWait then
  return {-wait, string.format('%d', slot)}
end
local function book(key, step)
  local nextTat = slot + step
  redis.call('SET', key, string.format('%d', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 2000)
end
book(KEYS[1], interval)
if egressInterval > 0 then book(KEYS[2], egressInterval) end
return {wait, string.format('%d', slot)}
`;

/**
 * Holds requests back for ARGV[1] µs (Kommo said 429 or blocked us): pushes the tat and sets a
 * hold that even already reserved slots respect, and remembers the refusal for ARGV[2] ms (a 403
 * soon after a 429 is read as a block). KEYS: tat, hold, recently-refused marker.
 */
export const PAUSE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilUs = now + tonumber(ARGV[1])
local ttl = math.ceil(tonumber(ARGV[1]) / 1000) + 2000
for i = 1, 2 do
  if untilUs > tonumber(redis.call('GET', KEYS[i]) or '0') then
    redis.call('SET', KEYS[i], string.format('%d', untilUs), 'PX', ttl)
  end
end
redis.call('SET', KEYS[3], '1', 'PX', tonumber(ARGV[2]))
return 0
`;

/**
 * The last check right before a request goes out: at most `limit` sends in any window (Kommo's
 * second), for the installation and, when on, for the egress address. Also:
 * - a hold (pause) answers with its remaining time as a negative number: re-reserve after it;
 * - lost state: KEYS[5] is a marker written once per Redis life. When it is missing, everything
 *   was lost (FLUSHDB, a restart without persistence) while Kommo still counts up to `limit`
 *   sends of the last second, so in the first window every budget starts with `seeds` sends
 *   booked (only Kommo's remaining room is left).
 * A full window pushes the schedules (tat) to when it frees, so the caller re-reserves an evenly
 * spaced slot instead of waking together with every other waiter (a bunch Kommo may count in one
 * second once network jitter moves it).
 * KEYS: installation sends, egress sends, installation hold, egress hold, epoch marker,
 * installation tat, egress tat.
 * ARGV: limit, egress limit (0 = off), member, seeds, egress seeds, force (1 = a request already
 * sent: record it whatever the window holds), window µs.
 * Returns 0 when recorded, > 0 µs until the window frees a send, < 0 held for -value µs.
 */
export const WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[7])
local egressLimit = tonumber(ARGV[2])
local force = ARGV[6] == '1'
local epoch = tonumber(redis.call('GET', KEYS[5]) or '')
if not epoch then
  epoch = now
  redis.call('SET', KEYS[5], string.format('%d', now))
end
if not force then
  for i = 3, 4 do
    if i == 3 or egressLimit > 0 then
      local hold = tonumber(redis.call('GET', KEYS[i]) or '0')
      if hold > now then return -(hold - now) end
    end
  end
end
local function waitFor(key, tatKey, limit, seeds)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if now - epoch < window and redis.call('EXISTS', key) == 0 then
    for k = 1, seeds do redis.call('ZADD', key, epoch, 'lost:' .. k) end
  end
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
  local wait = math.max(1, oldest + window - now)
  if not force and now + wait > tonumber(redis.call('GET', tatKey) or '0') then
    redis.call('SET', tatKey, string.format('%d', now + wait), 'PX', math.ceil(wait / 1000) + 2000)
  end
  return wait
end
local wait = waitFor(KEYS[1], KEYS[6], tonumber(ARGV[1]), tonumber(ARGV[4]))
if egressLimit > 0 then
  wait = math.max(wait, waitFor(KEYS[2], KEYS[7], egressLimit, tonumber(ARGV[5])))
end
if wait > 0 and not force then return wait end
local ttl = math.ceil(window / 1000) + 1000
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
if egressLimit > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 0
`;
