#!/usr/bin/env python3
"""Markdown tables for BENCHMARKS.md from one criterion run, one callgrind run
and (optionally) one run of the interleaved timer.

    python3 benches/tables.py CRITERION_OUTPUT CALLGRIND_TSV [INTERLEAVED_OUTPUT]

CRITERION_OUTPUT is what `cargo bench -p smtp-benches --bench hot_path` printed;
CALLGRIND_TSV is what `bash benches/callgrind.sh` printed; INTERLEAVED_OUTPUT is
what `target/release/interleaved GROUP` printed, for any number of groups, one
after the other. Every group gets one row per competitor: median time,
throughput, time relative to ours ("ours is N x faster" when above 1),
instructions per call and the same ratio on instructions, and, when given, the
interleaved median time per call and its ratio.
"""
import re
import sys
from collections import OrderedDict

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def criterion(path):
    times = OrderedDict()
    name = None
    for line in open(path, encoding="utf-8"):
        stripped = line.strip()
        match = re.match(r"^([\w./-]+/[\w.-]+)\s*(time:.*)?$", stripped)
        if match and "/" in stripped and not stripped.startswith(("time:", "thrpt:", "change:")):
            name = match.group(1)
            if not match.group(2):
                continue
            stripped = match.group(2)
        timed = re.match(r"^time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", stripped)
        if timed and name:
            times[name] = float(timed.group(1)) * UNITS[timed.group(2)]
            name = None
    return times


def callgrind(path):
    counts = OrderedDict()
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 4 and parts[2].isdigit():
            counts[parts[0]] = (int(parts[1]), int(parts[2]))
    return counts


def interleaved(path):
    medians = OrderedDict()
    group = None
    for line in open(path, encoding="utf-8"):
        header = re.match(r"^([\w./-]+): \d+ interleaved rounds", line)
        if header:
            group = header.group(1)
            continue
        row = re.match(r"^\| ([\w.-]+) \| (\d+) \| (\d+) \|", line)
        if row and group:
            medians[f"{group}/{row.group(1)}"] = float(row.group(3))
    return medians


def show_time(ns):
    return f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns"


def main():
    times = criterion(sys.argv[1])
    counts = callgrind(sys.argv[2])
    turns = interleaved(sys.argv[3]) if len(sys.argv) > 3 else {}
    groups = OrderedDict()
    for case in list(counts) + [c for c in times if c not in counts]:
        group, competitor = case.rsplit("/", 1)
        groups.setdefault(group, []).append(competitor)
    for group, competitors in groups.items():
        print(f"\n#### `{group}`\n")
        extra = turns.get(f"{group}/ours") is not None
        print("| competitor | median time | throughput | ours faster by (time) "
              "| instructions/call | ours fewer by (instructions) |"
              + (" interleaved median | ours faster by (interleaved) |" if extra else ""))
        print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if extra else ""))
        ours_time = times.get(f"{group}/ours")
        ours_turn = turns.get(f"{group}/ours")
        ours_count = counts.get(f"{group}/ours", (0, 0))[1]
        for competitor in competitors:
            case = f"{group}/{competitor}"
            size, count = counts.get(case, (0, 0))
            time = times.get(case)
            thrpt = f"{size / time * 1e9 / 2**20:.0f} MiB/s" if time and size else "–"
            t_ratio = f"{time / ours_time:.2f}×" if time and ours_time else "–"
            c_ratio = f"{count / ours_count:.2f}×" if count and ours_count else "–"
            shown = show_time(time) if time else "–"
            row = f"| {competitor} | {shown} | {thrpt} | {t_ratio} | {count:,} | {c_ratio} |"
            if extra:
                turn = turns.get(case)
                row += (f" {show_time(turn)} | {turn / ours_turn:.2f}× |" if turn else " – | – |")
            print(row)


if __name__ == "__main__":
    main()
