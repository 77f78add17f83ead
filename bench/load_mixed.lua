-- wrk script for figure 10: 50% list, 30% create, 20% delete, in a fixed cycle of ten.
-- Every delete takes an id no other request deletes: ids come from IDS_FILE, each thread a
-- disjoint stride of them. KEY is the API key.
local key = os.getenv("BENCH_API_KEY")
local ids_file = os.getenv("BENCH_IDS_FILE")
local cycle = {"list", "create", "list", "delete", "list", "create", "list", "delete", "list", "create"}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  ids = {}
  for line in io.lines(ids_file) do
    ids[#ids + 1] = line
  end
  nthreads = tonumber(os.getenv("BENCH_THREADS"))
  next_id = tid + 1
  step = 0
  headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
  create_body = '{"name": "load/created.txt", "content_type": "text"}'
end

function request()
  step = step + 1
  local kind = cycle[(step - 1) % #cycle + 1]
  if kind == "create" then
    return wrk.format("POST", "/v1/objects", headers, create_body)
  elseif kind == "delete" and next_id <= #ids then
    local id = ids[next_id]
    next_id = next_id + nthreads
    return wrk.format("POST", "/v1/objects/" .. id .. "/delete", headers, "")
  end
  return wrk.format("GET", "/v1/objects?limit=100", headers, nil)
end
