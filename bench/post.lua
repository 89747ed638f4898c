-- wrk script: signed-in members post forms, each with its own session cookie and CSRF token.
--
--   wrk ... -s bench/post.lua http://127.0.0.1:PORT -- <data file> <wrk threads>
--
-- The data file is a Lua chunk bench/run.py writes before each run; it returns
--   { action = "vote" | "comment", members = { {id=, cookie=, token=, token_q=}, ... },
--     ideas = { id, ... }, voted = { ["<member id>:<idea id>"] = true, ... }, body = "..." }
-- (token_q and body are already form-urlencoded).
--
-- Each wrk thread takes its own share of the members (every k-th one), so no two threads
-- ever post for the same member. Request n of a thread goes from its member n mod m to idea
-- (n + offset) mod I: ideas change on every request, and a (member, idea) pair comes back
-- every I requests or so.
--
-- action "vote": POST /ideas/<id>/vote with intent=vote if the member has not voted for the
-- idea, else intent=unvote, and the pair's state flips: every request really toggles a vote
-- (voted = the state in the database when the file was written). Accept: application/json.
-- action "comment": POST /ideas/<id>/comments with the body; Accept: text/html (302 = posted).
--
-- At the end it prints "Statuses: 200=1234 ..." (every response's status, counted), because
-- wrk itself counts any 2xx or 3xx as a success: a vote answered by a redirect is not one.
-- (wrk calls request() once before the run without sending it, so one pair's state starts
-- inverted: its first vote changes nothing, and it is back in step from its next turn.)

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local data, members, ideas, voted, offset
local n = 0

function init(args)
  data = dofile(args[1])
  local thread_count = tonumber(args[2])
  members = {}
  for i, member in ipairs(data.members) do
    if (i - 1) % thread_count == tid then members[#members + 1] = member end
  end
  ideas, voted = data.ideas, data.voted
  offset = math.floor(#ideas * tid / thread_count)
end

local function vote(member, idea)
  local key = member.id .. ":" .. idea
  local intent = voted[key] and "unvote" or "vote"
  voted[key] = not voted[key]
  return "/ideas/" .. idea .. "/vote", "application/json",
         "csrf_token=" .. member.token_q .. "&intent=" .. intent
end

local function comment(member, idea)
  return "/ideas/" .. idea .. "/comments", "text/html",
         "csrf_token=" .. member.token_q .. "&body=" .. data.body
end

function request()
  local member = members[n % #members + 1]
  local idea = ideas[(n + offset) % #ideas + 1]
  n = n + 1
  local path, accept, body = (data.action == "vote" and vote or comment)(member, idea)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = accept,
    ["Cookie"] = member.cookie,
    ["X-CSRFToken"] = member.token,
    ["User-Agent"] = "ideaboard-bench/1",  -- as bench/wrk.py's USER_AGENT
  }, body)
end

statuses = {}

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  io.write("Statuses:")
  for status, count in pairs(total) do io.write(" " .. status .. "=" .. count) end
  io.write("\n")
end
