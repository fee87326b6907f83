-- ingest.lua: one event, as the Redis peer of ikid handles it (bench/peer/README.md).
-- ARGV: id, element, village, kecamatan, month, quarter, year, value, record
-- The work ikid does for an event of a summed element: refuse a known id (duplicate), append the
-- event to the log, add its value to the 6 rollup counters (the village and its kecamatan, each
-- for the month, quarter and year of its date), and publish the change. Run with
-- appendfsync always, a reply means the script's writes were fsynced to the append-only file.
local id = ARGV[1]
if redis.call('HSETNX', 'ids', id, ARGV[9]) == 0 then
  return 0
end
redis.call('RPUSH', 'log', ARGV[9])
local v = tonumber(ARGV[8])
for u = 3, 4 do
  local key = 'sum:' .. ARGV[2] .. ':' .. ARGV[u]
  for p = 5, 7 do
    redis.call('HINCRBY', key, ARGV[p], v)
  end
end
redis.call('PUBLISH', 'updates', ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. ARGV[5] .. ' +' .. ARGV[8])
return 1
