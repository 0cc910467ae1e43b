-- Every request a different catalog query (keyword + page), so no page is served from the
-- anonymous page cache: the uncached cost of rendering a search.
local words = {"qwen", "llama", "instruct", "coder", "chat", "mistral", "gemma", "phi", "base", "vision"}
local counter = 0
request = function()
  counter = counter + 1
  local w = words[(counter % #words) + 1]
  local page = (math.floor(counter / #words) % 40) + 1
  return wrk.format("GET", wrk.path .. "?q=" .. w .. "&page=" .. page)
end
