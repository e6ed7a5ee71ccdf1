-- wrk: each request asks one of 10,000 warm keys under the URL's path, at random.
request = function()
  return wrk.format(nil, wrk.path .. math.random(0, 9999))
end
