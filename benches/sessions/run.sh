#!/usr/bin/env bash
# Whole-session benchmarks of smtp-server against real peers.
#
#   bash benches/sessions/run.sh [--quick] [--rounds N] [--out FILE]
#
# Server throughput: Postfix smtp-source drives, in interleaved rounds
# (A B C D, A B C D, ...), each of
#   ours-sink     smtp-server --sink (default: one worker thread per CPU)
#   ours-sink-1t  smtp-server --sink --threads 1 (one thread, like smtp-sink's
#                 one process: the driver keeps the other core)
#   ours-maildir  smtp-server --maildir DIR (local disk, fsync before 250)
#   smtp-sink     Postfix smtp-sink -u nobody ADDR 1000
#   aiosmtpd      python3 -m aiosmtpd -n -c aiosmtpd.handlers.Sink
# for each scenario (parallel sessions -s, messages -m, message size -l), and
# reports messages/s and peak RSS (VmHWM) medians, with ratios taken from the
# same run. Each server is started fresh for each measurement.
#
# smtp-source sends one command per round trip and needs a full core per
# ~25,000 messages/s on this kind of machine, so with -s 20 it, not the
# server, sets the rate once the server is fast enough. The "pipelined"
# scenario therefore drives the same servers with our own client
# (session-client-bench, 20 connections on one thread, PIPELINING): cheaper
# per message, so the servers' differences show.
#
# Idle memory: the RSS growth of smtp-server --sink holding 10,000 idle
# connections (idle_connections.py), per connection.
#
# Client throughput: one connection delivering 20,000 messages of 1 KiB to
# smtp-sink, by our client (client.rs, pipelined), smtp-source -s 1 -d and
# lettre (SmtpConnection: one connection; SmtpTransport without its pool: a
# connection per message), interleaved; lettre with a hundredth of the
# messages (it is Nagle-bound, see below). Needs the `session-client-bench` binary of the smtp-benches
# crate (SESSION_CLIENT_BENCH_BIN to give one); without it this part is
# reported as not run.
#
# --quick: small counts (about a minute), for CI: it checks that every peer
# still works. The script exits non-zero when a peer or a server fails, never
# because of a ratio.
#
# Environment: SMTP_SERVER_BIN (default: release build of this workspace),
# BENCH_DIR (scratch directory on a local disk for the Maildir, default
# /var/tmp). Peers are found on PATH, then in <workspace>/.ci/cache/bin.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$PATH:$root/.ci/cache/bin"

quick=0
rounds=""
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --rounds) rounds="$2"; shift ;;
        --out) out="$2"; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

fail() { echo "run.sh: $*" >&2; exit 1; }

for tool in smtp-source smtp-sink python3; do
    command -v "$tool" >/dev/null ||
        fail "$tool not found: run 'bash .ci/install-test-deps' (it puts the peers in .ci/cache/bin)"
done
python3 -c 'import aiosmtpd' 2>/dev/null ||
    fail "python aiosmtpd missing: run 'bash .ci/install-test-deps'"

client_bin="${SESSION_CLIENT_BENCH_BIN:-}"
if [ -z "$client_bin" ] && (cd "$root" && cargo metadata --no-deps --format-version 1 2>/dev/null |
    grep -q '"name":"session-client-bench"'); then
    (cd "$root" && cargo build --release -q -p smtp-benches --bin session-client-bench) ||
        fail "cargo build of session-client-bench failed"
    client_bin="$root/target/release/session-client-bench"
fi

if [ -z "${SMTP_SERVER_BIN:-}" ]; then
    (cd "$root" && cargo build --release -q -p smtp-server --bin smtp-server) ||
        fail "cargo build of smtp-server failed"
    SMTP_SERVER_BIN="$root/target/release/smtp-server"
fi
[ -x "$SMTP_SERVER_BIN" ] || fail "$SMTP_SERVER_BIN is not executable"

# Scenarios: "sessions messages size".
if [ "$quick" = 1 ]; then
    scenarios=("20 2000 1024" "1 500 1024" "20 200 102400" "20 2000 1024 pipelined")
    rounds="${rounds:-1}"
    idle_count=1000
    client_messages=500
else
    scenarios=("20 20000 1024" "1 20000 1024" "20 5000 102400" "20 20000 1024 pipelined")
    rounds="${rounds:-3}"
    idle_count=10000
    client_messages=20000
fi
servers=(ours-sink ours-sink-1t ours-maildir smtp-sink aiosmtpd)
# Before/after comparisons in the same interleaved run.
if [ -n "${SMTP_SERVER_BASELINE_BIN:-}" ]; then
    [ -x "$SMTP_SERVER_BASELINE_BIN" ] || fail "$SMTP_SERVER_BASELINE_BIN is not executable"
    servers=(ours-sink ours-sink-1t base-sink ours-maildir base-maildir smtp-sink aiosmtpd)
fi

scratch="$(mktemp -d "${BENCH_DIR:-/var/tmp}/smtp-sessions.XXXXXX")"
server_pid=""
maildir_runs=0
maildir=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

# A port nobody listens on now (the peers without a port-0 mode need one).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {
    local port="$1" i
    for i in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# start_server NAME [extra smtp-server flags...]: sets server_pid and port.
start_server() {
    local name="$1"; shift
    local log="$scratch/$name.log"
    case "$name" in
        ours-sink|ours-sink-1t|ours-maildir|base-sink|base-maildir)
            local store=(--sink) bin="$SMTP_SERVER_BIN"
            case "$name" in *-1t) store+=(--threads 1) ;; esac
            case "$name" in
                *-maildir)
                    # A new Maildir per run, all removed at exit: on ext4,
                    # inodes freed in the last seconds make every file
                    # creation slower (recently_deleted), which would charge
                    # one run's clean-up to the next.
                    maildir_runs=$((maildir_runs + 1))
                    maildir="$scratch/maildir-$maildir_runs"
                    store=(--maildir "$maildir") ;;
            esac
            case "$name" in base-*) bin="$SMTP_SERVER_BASELINE_BIN" ;; esac
            RUST_LOG=warn "$bin" "${store[@]}" --listen 127.0.0.1:0 \
                --hostname bench.localdomain "$@" >"$scratch/$name.out" 2>"$log" &
            server_pid=$!
            local i
            port=""
            for i in $(seq 1 100); do
                port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) (smtp)$/\1/p' "$scratch/$name.out")"
                [ -n "$port" ] && break
                kill -0 "$server_pid" 2>/dev/null || break
                sleep 0.05
            done
            [ -n "$port" ] || { cat "$log" >&2; fail "$name did not start"; }
            ;;
        smtp-sink)
            port="$(free_port)"
            smtp-sink -u nobody "127.0.0.1:$port" 1000 >"$log" 2>&1 &
            server_pid=$!
            ;;
        aiosmtpd)
            port="$(free_port)"
            python3 -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "127.0.0.1:$port" >"$log" 2>&1 &
            server_pid=$!
            ;;
    esac
    wait_for_port "$port" || { cat "$log" "$scratch/$name.out" >&2; kill -0 "$server_pid" || echo "server exited" >&2; fail "$name did not listen on $port"; }
}

# "peak-RSS-kB cpu-ms" of the running server (VmHWM; user + system time), then stop it.
stop_server() {
    local hwm cpu tick
    hwm="$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)"
    tick="$(getconf CLK_TCK)"
    # Fields 14 and 15 of /proc/PID/stat, counted after the ")" ending the command name.
    cpu="$(sed 's/.*) //' "/proc/$server_pid/stat" 2>/dev/null |
        awk -v t="$tick" '{ printf "%.0f", ($12 + $13) * 1000 / t }' || echo 0)"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    echo "$hwm $cpu"
}

now_ns() { date +%s%N; }

# Records "server scenario msgs_per_s hwm_kb" lines.
results="$scratch/results"
: >"$results"

# scenario_key SESSIONS MESSAGES SIZE [pipelined]: the key of a scenario in the results.
scenario_key() {
    if [ "${4:-}" = pipelined ]; then echo "p$1-m$2-l$3"; else echo "s$1-m$2-l$3"; fi
}

# scenario_label SESSIONS MESSAGES SIZE [pipelined]: how the tables show it.
scenario_label() {
    if [ "${4:-}" = pipelined ]; then
        echo "pipelined client, $1 connections, -m $2 -l $3"
    else
        echo "-s $1 -m $2 -l $3"
    fi
}

measure() {
    local name="$1" sessions="$2" messages="$3" size="$4" driver="${5:-}"
    start_server "$name"
    local t0 t1 status=0
    t0="$(now_ns)"
    if [ "$driver" = pipelined ]; then
        # Our client, pipelining, $sessions connections; it checks every reply.
        "$client_bin" ours 127.0.0.1 "$port" "$messages" "$size" "$sessions" \
            >/dev/null 2>"$scratch/source.out" || status=$?
    else
        smtp-source -s "$sessions" -m "$messages" -l "$size" -d "127.0.0.1:$port" \
            >"$scratch/source.out" 2>&1 || status=$?
    fi
    t1="$(now_ns)"
    local hwm cpu
    read -r hwm cpu <<<"$(stop_server)"
    if [ "$status" != 0 ] || [ -s "$scratch/source.out" ]; then
        cat "$scratch/source.out" >&2
        fail "the ${driver:-smtp-source} driver against $name failed (status $status)"
    fi
    if [[ "$name" = *-maildir ]]; then
        local stored
        stored="$(find "$maildir/new" -type f | wc -l)"
        [ "$stored" = "$messages" ] || fail "$name stored $stored of $messages messages"
    fi
    local rate cpu_per_message
    rate="$(awk -v m="$messages" -v ns="$((t1 - t0))" 'BEGIN { printf "%.0f", m / (ns / 1e9) }')"
    cpu_per_message="$(awk -v m="$messages" -v ms="$cpu" 'BEGIN { printf "%.1f", ms * 1000 / m }')"
    echo "$name $(scenario_key "$sessions" "$messages" "$size" "$driver") $rate $hwm $cpu_per_message" >>"$results"
    printf '  %-13s %-46s %8s msg/s  peak RSS %7s kB  CPU %6s us/msg\n' "$name" \
        "$(scenario_label "$sessions" "$messages" "$size" "$driver")" "$rate" "$hwm" "$cpu_per_message" >&2
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "smtp-server: $SMTP_SERVER_BIN; $rounds round(s), interleaved" >&2
if [ -z "$client_bin" ]; then
    echo "pipelined scenario not run: no session-client-bench binary" >&2
fi
for scenario in "${scenarios[@]}"; do
    read -r sessions messages size driver <<<"$scenario"
    if [ "$driver" = pipelined ] && [ -z "$client_bin" ]; then continue; fi
    for round in $(seq 1 "$rounds"); do
        echo "round $round" >&2
        for name in "${servers[@]}"; do
            measure "$name" "$sessions" "$messages" "$size" "$driver"
        done
    done
done

# Idle connections held by our sink server.
ulimit -n "$((idle_count + 1000))" 2>/dev/null ||
    fail "cannot raise the open-file limit to $((idle_count + 1000)) (ulimit -n)"
start_server ours-sink --max-connections "$((idle_count + 10))" \
    --max-connections-per-ip "$((idle_count + 10))"
idle="$(python3 "$here/idle_connections.py" 127.0.0.1 "$port" "$server_pid" "$idle_count")" ||
    { stop_server >/dev/null; fail "idle connection test failed"; }
stop_server >/dev/null
per_conn="$(sed -n 's/^bytes_per_connection=//p' <<<"$idle")"
rss_before="$(sed -n 's/^rss_before_kb=//p' <<<"$idle")"
rss_after="$(sed -n 's/^rss_after_kb=//p' <<<"$idle")"

# Client side: every client against a fresh smtp-sink, interleaved.
client_results="$scratch/client-results"
: >"$client_results"
measure_client() {
    local name="$1" messages="$2"
    start_server smtp-sink
    local t0 t1 status=0
    t0="$(now_ns)"
    case "$name" in
        smtp-source)
            smtp-source -s 1 -m "$messages" -l 1024 -d "127.0.0.1:$port" \
                >"$scratch/client.out" 2>&1 || status=$? ;;
        *)
            "$client_bin" "$name" 127.0.0.1 "$port" "$messages" 1024 \
                >"$scratch/client.out" 2>&1 || status=$? ;;
    esac
    t1="$(now_ns)"
    stop_server >/dev/null
    if [ "$status" != 0 ] || { [ "$name" = smtp-source ] && [ -s "$scratch/client.out" ]; }; then
        cat "$scratch/client.out" >&2
        fail "client $name against smtp-sink failed (status $status)"
    fi
    local rate
    rate="$(awk -v m="$messages" -v ns="$((t1 - t0))" 'BEGIN { printf "%.0f", m / (ns / 1e9) }')"
    echo "$name $messages $rate" >>"$client_results"
    printf '  client %-17s %6s messages %8s msg/s\n' "$name" "$messages" "$rate" >&2
}
clients=(ours smtp-source lettre lettre-transport)
if [ -n "$client_bin" ]; then
    for round in $(seq 1 "$rounds"); do
        echo "client round $round" >&2
        for name in "${clients[@]}"; do
            messages="$client_messages"
            # lettre waits ~45 ms per message on loopback (it writes the body
            # and the final "." separately without TCP_NODELAY: Nagle against
            # delayed ACKs), so it gets a hundredth of the messages.
            case "$name" in lettre*) messages="$((client_messages / 100))" ;; esac
            measure_client "$name" "$messages"
        done
    done
else
    echo "client benchmark not run: no session-client-bench binary (see benches/sessions/client.rs)" >&2
fi

report() {
    echo "## Server sessions (smtp-source -d, and our pipelining client), medians of $rounds interleaved round(s)"
    echo
    echo "| scenario | server | msg/s | msg/s vs smtp-sink | server CPU (us/msg) | peak RSS (kB) |"
    echo "|---|---|---:|---:|---:|---:|"
    for scenario in "${scenarios[@]}"; do
        read -r sessions messages size driver <<<"$scenario"
        local key label reference
        key="$(scenario_key "$sessions" "$messages" "$size" "$driver")"
        label="$(scenario_label "$sessions" "$messages" "$size" "$driver")"
        grep -q " $key " "$results" || continue
        reference="$(awk -v k="$key" '$1 == "smtp-sink" && $2 == k { print $3 }' "$results" | median)"
        for name in "${servers[@]}"; do
            local rate hwm cpu
            rate="$(awk -v n="$name" -v k="$key" '$1 == n && $2 == k { print $3 }' "$results" | median)"
            hwm="$(awk -v n="$name" -v k="$key" '$1 == n && $2 == k { print $4 }' "$results" | median)"
            cpu="$(awk -v n="$name" -v k="$key" '$1 == n && $2 == k { print $5 }' "$results" | median)"
            echo "| \`$label\` | $name | $rate | $(awk -v a="$rate" -v b="$reference" 'BEGIN { printf "%.2f", a / b }') | $cpu | $hwm |"
        done
        local sink maildir
        sink="$(awk -v k="$key" '$1 == "ours-sink" && $2 == k { print $3 }' "$results" | median)"
        maildir="$(awk -v k="$key" '$1 == "ours-maildir" && $2 == k { print $3 }' "$results" | median)"
        echo "| \`$label\` | ours-maildir / ours-sink | | $(awk -v a="$maildir" -v b="$sink" 'BEGIN { printf "%.2f", a / b }') | | |"
    done
    echo
    echo "## Idle connections (smtp-server --sink)"
    echo
    echo "$idle_count connections: VmRSS $rss_before kB before, $rss_after kB after:" \
        "$per_conn bytes ($(awk -v b="$per_conn" 'BEGIN { printf "%.1f", b / 1024 }') KiB) per idle connection."
    echo
    echo "## Client: one connection to smtp-sink, 1 KiB messages, medians of $rounds round(s)"
    echo
    if [ -n "$client_bin" ]; then
        local reference
        reference="$(awk '$1 == "smtp-source" { print $3 }' "$client_results" | median)"
        echo "| client | messages | msg/s | vs smtp-source |"
        echo "|---|---:|---:|---:|"
        for name in "${clients[@]}"; do
            local rate messages
            rate="$(awk -v n="$name" '$1 == n { print $3 }' "$client_results" | median)"
            messages="$(awk -v n="$name" '$1 == n { print $2; exit }' "$client_results")"
            echo "| $name | $messages | $rate | $(awk -v a="$rate" -v b="$reference" 'BEGIN { printf "%.3g", a / b }') |"
        done
    else
        echo "Not run: no session-client-bench binary."
    fi
    echo
    echo "Raw measurements (server, scenario, msg/s, peak RSS kB, server CPU us/msg), in run order:"
    echo
    echo '```'
    cat "$results"
    echo '```'
}

if [ -n "$out" ]; then
    report | tee "$out"
else
    report
fi
