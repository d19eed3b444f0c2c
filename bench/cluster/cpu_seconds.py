"""CPU seconds used so far by the processes of the given names (the cluster
benchmark's CPU accounting, bench/cluster/run.sh).

usage: cpu_seconds.py NAME...   prints {"NAME": seconds, ...} as JSON

For each live process whose name (/proc/PID/comm) is one of NAME, counts its
user and system time plus that of its children it has reaped (PostgreSQL's
postmaster reaps the backends of clients that have gone, nginx's master its
workers). The difference of two calls is what those processes used between
them; a process that exited in between is lost unless a counted parent reaped
it, so a short-lived client is timed by its own shell (`time`) instead.
"""
import json
import os
import sys

names = set(sys.argv[1:])
ticks = os.sysconf("SC_CLK_TCK")
used = {name: 0.0 for name in names}
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        continue  # gone meanwhile
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    if name not in names:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    # fields 14-17 of proc(5): utime stime cutime cstime (0-based 11-14 here)
    used[name] += sum(int(v) for v in fields[11:15]) / ticks
print(json.dumps(used))
