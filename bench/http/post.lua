-- POST of a durable command, spread over RELAIS_BENCH_PROJECTS projects
-- (commands on one project are serialized, as they must be).
local token = os.getenv("RELAIS_BENCH_TOKEN")
local projects = tonumber(os.getenv("RELAIS_BENCH_PROJECTS") or "1000")
local body = '{"type":"indicateur_enregistre","data":{"indicateur":"autre","valeur":1}}'
local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

local counter = 0
function request()
  counter = counter + 1
  local project = (counter * 16 + thread_index) % projects
  return wrk.format("POST", "/v1/projects/bench-" .. project .. "/events",
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

dofile(os.getenv("RELAIS_BENCH_DIR") .. "/report.lua")
