"""Driving an app with ``wrk`` (Debian package ``wrk``) and a generated Lua script.

The script POSTs the workload's JSON body and checks every response: a status other than 200, a
body with a GraphQL ``errors`` member, or (for the stage move) a body without an empty
``userErrors`` list counts as a failure, and ``done`` prints one ``BENCH`` line with the
requests, failures and latency percentiles (wrk's own, in microseconds), which ``run_wrk`` parses.

Stage moves: each wrk thread drives one connection (``-t`` = ``-c``), so its requests go out one
after the other, each after the previous response (the alternation counts responses: wrk calls
``request`` once more than it sends, to check the script); thread *i* takes its own slice of the
proven opportunities and sends NEXT then PREVIOUS to each in turn. Every move is legal whatever
the interleaving between connections, because no two connections share an opportunity; a run
stopped between a NEXT and its PREVIOUS leaves an opportunity one stage up, which the benchmark
moves back before the next run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Placeholders of a move's body, filled in by the Lua script.
NO, ACTION = "@@NO@@", "@@ACTION@@"
INSTALL = "wrk is not installed: apt-get update && apt-get install -y wrk (Debian package wrk)"

_LUA = r"""
local threads = {}
local slices = %(slices)s
local moves = %(moves)s
local prefix = [==[%(prefix)s]==]
local middle = [==[%(middle)s]==]
local suffix = [==[%(suffix)s]==]
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("id", thread_no)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  responses = 0
  failures = 0
  sample = ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  %(auth)s
  mine = slices[((id - 1) %% #slices) + 1]
end

function request()
  local body
  if moves then
    -- by responses, not requests sent: wrk calls request() once more on thread 1 to check it
    local pair = math.floor(responses / 2)
    local no = mine[(pair %% #mine) + 1]
    local action = (responses %% 2 == 0) and "NEXT" or "PREVIOUS"
    body = prefix .. no .. middle .. action .. suffix
  else
    body = prefix
  end
  sent = sent + 1
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  responses = responses + 1
  local bad = status ~= 200 or body:find('"errors"%%s*:') ~= nil
  if moves and not body:find('"userErrors"%%s*:%%s*%%[%%s*%%]') then bad = true end
  if bad then
    failures = failures + 1
    if sample == "" then sample = status .. " " .. body:sub(1, 300) end
  end
end

function done(summary, latency, requests)
  local r, f, s = 0, 0, ""
  for _, t in ipairs(threads) do
    r = r + t:get("responses")
    f = f + t:get("failures")
    if s == "" then s = t:get("sample") end
  end
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d %%d %%d\n", r, f,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), summary.duration, summary.requests))
  io.write("SAMPLE " .. s .. "\n")
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    failures: int
    socket_errors: int
    status_errors: int
    p50_ms: float
    p99_ms: float
    seconds: float
    sample: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.failures + self.socket_errors + self.status_errors


def check_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(INSTALL)
    return found


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(json.dumps(i) for i in items) + "}"


def lua_script(body: dict[str, Any], headers: dict[str, str], slices: list[list[str]] | None = None) -> str:
    """The script for ``body``; with ``slices`` (one list of opportunity numbers per thread) a
    stage move whose ``no`` and ``action`` variables the script fills in per request."""
    auth = "".join(f'wrk.headers["{k}"] = {json.dumps(v)}\n  ' for k, v in headers.items())
    if slices is None:
        prefix, middle, suffix = json.dumps(body), "", ""
        lua_slices, moves = "{{}}", "false"
    else:
        text = json.dumps({**body, "variables": {"no": NO, "action": ACTION}})
        prefix, rest = text.split(NO)
        middle, suffix = rest.split(ACTION)
        lua_slices = "{" + ", ".join(_lua_list(s) for s in slices) + "}"
        moves = "true"
    for part in (prefix, middle, suffix):
        assert "]==]" not in part
    return _LUA % {
        "slices": lua_slices,
        "moves": moves,
        "prefix": prefix,
        "middle": middle,
        "suffix": suffix,
        "auth": auth,
    }


def run_wrk(url: str, script: Path, connections: int, threads: int, seconds: float) -> Result:
    argv = [
        check_wrk(),
        f"-c{connections}",
        f"-t{threads}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "300s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    bench = next((line for line in lines if line.startswith("BENCH ")), None)
    if bench is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    r, f, sock, status, p50, p99, duration, _ = (int(x) for x in bench.split()[1:])
    sample = next((line[7:] for line in lines if line.startswith("SAMPLE ")), "")
    return Result(r, f, sock, status, p50 / 1000, p99 / 1000, duration / 1e6, sample)
