-- Requests drawn Zipf-like (s = 1.1) from a log of distinct queries (make_zipf_log.py): the
-- page cache earns what a real mix of visitors gives it, not what one repeated URL would.
local paths = {}
local cumulative = {}
init = function(args)
  local file = assert(io.open(args[1] or "target/zipf-queries.txt"))
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
  local total = 0
  for k = 1, #paths do
    total = total + 1 / (k ^ 1.1)
    cumulative[k] = total
  end
  for k = 1, #paths do cumulative[k] = cumulative[k] / total end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end
request = function()
  local r = math.random()
  local lo, hi = 1, #paths
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", paths[lo])
end
