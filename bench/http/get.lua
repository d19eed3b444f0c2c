-- GET of one project's state (or, without a token, nginx's static copy).
local token = os.getenv("RELAIS_BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
dofile(os.getenv("RELAIS_BENCH_DIR") .. "/report.lua")
