#include "chat/server/store/functions.hpp"

namespace chat::server {
namespace {

constexpr std::string_view source = R"lua(#!lua name=chatd

local function seq_of(id)
  return tonumber(string.match(id, '%-(%d+)$'))
end

local function field(list, name)
  for i = 1, #list, 2 do
    if list[i] == name then return list[i + 1] end
  end
  return nil
end

local function acquire(keys, args)
  local taken = redis.call('SET', keys[1], 'taking', 'NX', 'PX', args[2])
  if not taken then
    local value = redis.call('GET', keys[1])
    local holder = value and string.match(value, '^(.*) %d+$')
    if args[3] == '' or holder ~= args[3] then
      return {0, value or '', redis.call('PTTL', keys[1])}
    end
  end
  local epoch = redis.call('INCR', keys[2])
  redis.call('SET', keys[1], args[1] .. ' ' .. epoch, 'PX', args[2])
  return epoch
end

local function renew(keys, args)
  if redis.call('GET', keys[1]) ~= args[1] then return 0 end
  redis.call('PEXPIRE', keys[1], args[2])
  return 1
end

local function release(keys, args)
  if redis.call('GET', keys[1]) ~= args[1] then return 0 end
  redis.call('DEL', keys[1])
  return 1
end

local function commit(keys, args)
  local epoch = redis.call('GET', keys[1])
  if epoch ~= args[1] then
    return redis.error_reply('FENCED the shard epoch is ' .. tostring(epoch) .. ', not ' .. args[1])
  end
  local ops = {}
  local i = 2
  while i <= #args do
    local n = tonumber(args[i + 2])
    ops[#ops + 1] = {args[i], keys[tonumber(args[i + 1])], {unpack(args, i + 3, i + 2 + n)}}
    i = i + 3 + n
  end
  -- Appends the stream already holds: the same message is skipped, another one refuses it all.
  local last, skip, timed = {}, {}, {}
  for k, op in ipairs(ops) do
    local a = op[3]
    if op[1] == 'XADD' and string.sub(a[1], 1, 1) == '>' then
      -- ">MS": an entry at time MS, or at the stream's last time if that is later (clocks differ).
      local ms = tonumber(string.sub(a[1], 2))
      if timed[op[2]] == nil then
        local tail = redis.call('XREVRANGE', op[2], '+', '-', 'COUNT', 1)
        timed[op[2]] = (#tail > 0) and tonumber(string.match(tail[1][1], '^(%d+)')) or 0
      end
      if timed[op[2]] > ms then ms = timed[op[2]] end
      timed[op[2]] = ms
      a[1] = ms .. '-*'
    elseif op[1] == 'XADD' and a[1] ~= '*' then
      if last[op[2]] == nil then
        local tail = redis.call('XREVRANGE', op[2], '+', '-', 'COUNT', 1)
        last[op[2]] = (#tail > 0) and seq_of(tail[1][1]) or 0
      end
      if seq_of(a[1]) <= last[op[2]] then
        local e = redis.call('XRANGE', op[2], a[1], a[1])
        local mine = {unpack(a, 2)}
        if #e == 0 or field(e[1][2], 'client_id') ~= field(mine, 'client_id') or
           field(e[1][2], 'author') ~= field(mine, 'author') or field(e[1][2], 'text') ~= field(mine, 'text') then
          return redis.error_reply('CONFLICT ' .. op[2] .. ' ' .. a[1] .. ' holds another message')
        end
        skip[k] = true
      end
    end
  end
  for k, op in ipairs(ops) do
    if not skip[k] then redis.call(op[1], op[2], unpack(op[3])) end
  end
  return #ops
end

-- A dead letter back into its endpoint's retries, due now, with its tries counted afresh.
local function replay(keys, args)
  local e = redis.call('XRANGE', keys[1], args[1], args[1])
  if #e == 0 then return 0 end
  local f = e[1][2]
  if field(f, 'endpoint') ~= args[2] then
    return redis.error_reply('CONFLICT dead letter ' .. args[1] .. ' is not for ' .. args[2])
  end
  local event = field(f, 'event')
  local doc = cjson.encode({event = event, type = field(f, 'type'), tenant = field(f, 'tenant'), at = field(f, 'at'),
                            body = field(f, 'body'), tries = 0, error = field(f, 'error')})
  redis.call('HSET', keys[2], event, doc)
  redis.call('ZADD', keys[3], args[3], event)
  redis.call('XDEL', keys[1], args[1])
  -- Who replayed it, in the tenant's audit log, in the same step (at its time, or the log's last).
  local ms = tonumber(args[4])
  local tail = redis.call('XREVRANGE', keys[4], '+', '-', 'COUNT', 1)
  local latest = (#tail > 0) and tonumber(string.match(tail[1][1], '^(%d+)')) or 0
  if latest > ms then ms = latest end
  redis.call('XADD', keys[4], ms .. '-*', 'event', args[5], 'at', args[4], 'actor', args[6], 'role', args[7],
             'action', 'replay_webhook', 'conversation', '', 'detail', args[1])
  return 1
end

redis.register_function('chatd_acquire', acquire)
redis.register_function('chatd_renew', renew)
redis.register_function('chatd_release', release)
redis.register_function('chatd_commit', commit)
redis.register_function('chatd_replay', replay)
)lua";

} // namespace

std::string_view functions_source() { return source; }

} // namespace chat::server
