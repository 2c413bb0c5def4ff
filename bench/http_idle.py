#!/usr/bin/env python3
"""Idle keep-alive connections against cscx, for bench/http.sh (stdlib only).

Usage: http_idle.py PORT [COUNT] [HOLD_SECONDS]

Opens COUNT (10000) TCP connections to 127.0.0.1:PORT (non-blocking, in
batches so the listen backlog is never the limit), sends nothing and holds
them HOLD_SECONDS (10). During the hold it watches every socket for an
unexpected close, counts the server's established sockets with `ss`, and
checks that a fresh connection still gets 200 from /health. Then it sends
`GET /health` on every held connection and counts the 200 answers.
Prints `key: value` lines; the last is `idle_result: ok` or `idle_result: FAILED`.
"""
import errno
import selectors
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def log(msg: str) -> None:
    print(msg, flush=True)


def one_health(port: int) -> int:
    """Status of GET /health on a fresh connection (0 if none)."""
    try:
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    except (OSError, ValueError, IndexError):
        return 0


def server_established(port: int) -> int:
    try:
        out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                             capture_output=True, text=True, timeout=20).stdout
        return sum(1 for line in out.splitlines() if line.strip())
    except (OSError, subprocess.SubprocessError):
        return -1


def open_all(port: int, count: int, batch: int = 500, timeout: float = 10.0):
    sel = selectors.DefaultSelector()
    socks, errors = [], {}
    for start in range(0, count, batch):
        pending = {}
        for _ in range(min(batch, count - start)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            rc = s.connect_ex((HOST, port))
            if rc not in (0, errno.EINPROGRESS):
                errors[errno.errorcode.get(rc, str(rc))] = errors.get(errno.errorcode.get(rc, str(rc)), 0) + 1
                s.close()
                continue
            pending[s.fileno()] = s
            sel.register(s, selectors.EVENT_WRITE)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                sel.unregister(s)
                del pending[s.fileno()]
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    name = errno.errorcode.get(err, str(err))
                    errors[name] = errors.get(name, 0) + 1
                    s.close()
                else:
                    socks.append(s)
        for s in pending.values():
            sel.unregister(s)
            errors["connect_timeout"] = errors.get("connect_timeout", 0) + 1
            s.close()
    sel.close()
    return socks, errors


def main() -> None:
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    hold = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0

    t0 = time.monotonic()
    socks, errors = open_all(port, count)
    log(f"idle_opened: {len(socks)} of {count} in {time.monotonic() - t0:.1f} s")
    log(f"idle_connect_errors: {sum(errors.values())} {errors if errors else ''}".rstrip())

    # Hold: nothing is sent; any readable socket means the server closed it
    # (or sent something unasked).
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    alive = set(socks)
    health_during = None
    established = None
    end = time.monotonic() + hold
    while (left := end - time.monotonic()) > 0:
        for key, _ in sel.select(timeout=min(left, 1.0)):
            s = key.fileobj
            sel.unregister(s)
            alive.discard(s)
            closed += 1
            s.close()
        if health_during is None and end - time.monotonic() < hold / 2:
            established = server_established(port)
            health_during = one_health(port)
    sel.close()
    log(f"idle_server_established_midhold: {established}")
    log(f"idle_health_fresh_connection_midhold: {health_during}")
    log(f"idle_closed_during_hold: {closed}")

    # A request on every held connection.
    sel = selectors.DefaultSelector()
    bufs = {}
    send_fail = 0
    for s in alive:
        try:
            s.send(REQUEST)
            bufs[s] = b""
            sel.register(s, selectors.EVENT_READ)
        except OSError:
            send_fail += 1
            s.close()
    statuses = {}
    deadline = time.monotonic() + 30
    while bufs and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            data = bufs[s] + chunk
            head_end = data.find(b"\r\n\r\n")
            done = not chunk
            if head_end >= 0:
                length = 0
                for line in data[:head_end].split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                done = done or len(data) >= head_end + 4 + length
            if done:
                try:
                    status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1 ") else "none"
                except IndexError:
                    status = "none"
                statuses[status] = statuses.get(status, 0) + 1
                sel.unregister(s)
                del bufs[s]
                s.close()
            else:
                bufs[s] = data
    for s in bufs:
        statuses["timeout"] = statuses.get("timeout", 0) + 1
        sel.unregister(s)
        s.close()
    sel.close()
    ok200 = statuses.get("200", 0)
    log(f"idle_requests_after_hold: {len(alive)} sent ({send_fail} send errors), statuses {statuses}")
    after = one_health(port)
    log(f"idle_health_after: {after}")
    good = (len(socks) == count and closed == 0 and send_fail == 0 and ok200 == count
            and health_during == 200 and after == 200)
    log(f"idle_held: {ok200}")
    log(f"idle_result: {'ok' if good else 'FAILED'}")


if __name__ == "__main__":
    main()
