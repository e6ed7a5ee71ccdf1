-- wrk: every request asks a key nobody asked before (a cache miss), under the URL's path.
math.randomseed(os.time())
local run = math.random(1, 1000000000)
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "u" .. run .. "-" .. n)
end
