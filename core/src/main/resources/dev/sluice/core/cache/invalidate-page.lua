-- A page changed in PostgreSQL to version ARGV[1]: raise its fence, and drop the cached entry if it is older.
-- KEYS[1] the page entry, KEYS[2] its fence
-- ARGV[1] the new version, ARGV[2] the fence's time to live in ms
-- Returns 1 if an entry was dropped.
local version = tonumber(ARGV[1])
local fence = tonumber(redis.call('GET', KEYS[2]) or '-1')
if version > fence then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
end
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if current >= 0 and current < version then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
