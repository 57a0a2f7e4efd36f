-- Fill the cache with what a reader loaded from PostgreSQL, unless something newer was seen since.
-- KEYS[1] the page entry (hash: v = version, d = payload), KEYS[2] its fence (highest version the invalidator saw)
-- KEYS[3] (optional) the read lease the filling reader holds: released either way
-- ARGV[1] the version read (the tombstone's for a deleted page, 0 for a page never stored)
-- ARGV[2] the payload (the response body, or "" for absent), ARGV[3] the entry's time to live in ms
-- Returns 1 if stored, 0 if refused as stale.
if KEYS[3] then
  redis.call('DEL', KEYS[3])
end
local version = tonumber(ARGV[1])
local fence = tonumber(redis.call('GET', KEYS[2]) or '-1')
if version < fence then
  return 0
end
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if version < current then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
