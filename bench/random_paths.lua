-- wrk script: each request asks for a path picked at random from a file,
-- one path a line (passed after `--`), so a page cache rarely holds the answer.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed(os.time() + #tostring({}))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
