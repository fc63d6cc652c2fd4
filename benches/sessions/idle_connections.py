#!/usr/bin/env python3
"""Open N idle SMTP connections to a server, read each greeting, then hold them.

Prints the server's VmRSS (kB) before and after, and the increase per
connection in bytes, as `key=value` lines for run.sh. Exits non-zero if a
connection is refused or does not get a 220 greeting.

usage: idle_connections.py HOST PORT SERVER_PID COUNT
"""

import resource
import selectors
import socket
import sys
import time


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def main():
    host, port, pid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 100
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    # Warm the server up with one connection so that lazily allocated runtime
    # state is not charged to the idle connections.
    warm = socket.create_connection((host, port))
    warm.recv(512)
    time.sleep(0.3)
    before = vm_rss_kb(pid)

    sockets = []
    selector = selectors.DefaultSelector()
    pending = {}
    # Connect in batches so the listen backlog never overflows.
    batch = 500
    for start in range(0, count, batch):
        for _ in range(min(batch, count - start)):
            sock = socket.create_connection((host, port))
            sock.setblocking(False)
            sockets.append(sock)
            pending[sock.fileno()] = b""
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                sock = key.fileobj
                data = sock.recv(512)
                if not data:
                    sys.exit(f"connection {sock.fileno()} closed before its greeting")
                pending[sock.fileno()] += data
                if pending[sock.fileno()].endswith(b"\r\n"):
                    greeting = pending.pop(sock.fileno())
                    selector.unregister(sock)
                    if not greeting.startswith(b"220"):
                        sys.exit(f"expected a 220 greeting, got {greeting!r}")
        if pending:
            sys.exit(f"{len(pending)} connections got no greeting within 30 s")

    time.sleep(1.0)
    after = vm_rss_kb(pid)
    per = (after - before) * 1024 / count
    print(f"connections={count}")
    print(f"rss_before_kb={before}")
    print(f"rss_after_kb={after}")
    print(f"bytes_per_connection={per:.0f}")
    for sock in sockets:
        sock.close()
    warm.close()


if __name__ == "__main__":
    main()
