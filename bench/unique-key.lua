-- wrk: every request asks a key nobody asked before (a cache miss), under the URL's path.
math.randomseed(os.time())
-- Numeric, like TMDb ids, so the shipped {id:int} routes match.
local n = math.random(1, 100000) * 10000000
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. n)
end
