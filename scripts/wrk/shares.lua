-- Shares distinct models, one per request (issue 12's shares/s with N concurrent clients, from a
-- client lighter than Python). Environment: SHARES_IDS, a file of "project model" lines, and
-- SHARES_KEY, the project's API key, and SHARES_THREADS, wrk's -t. Thread i of n takes lines
-- i, i+n, i+2n, ... (each thread has a Lua state of its own).
local index = 0

function setup(thread)
  index = index + 1
  thread:set("offset", index)
end

function init(args)
  stride = tonumber(os.getenv("SHARES_THREADS") or "1")
  paths = {}
  for line in io.lines(os.getenv("SHARES_IDS")) do
    local project, model = line:match("(%S+) (%S+)")
    table.insert(paths, "/" .. project .. "/v1/models/" .. model .. "/share")
  end
  key = os.getenv("SHARES_KEY")
  next_line = offset
end

function request()
  local path = paths[next_line] or paths[#paths]
  next_line = next_line + stride
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. key })
end
