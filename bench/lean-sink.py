#!/usr/bin/env python3
"""Lean HTTP sink for bench/worker-drain's queue drain: verifies and counts Standard Webhooks POSTs, nothing else.

Why: PartnerSim spends 150-190 us of CPU per request, on the same two cores as the worker and PostgreSQL, which caps
the rate the queue drain can show. This sink spends some tens of us (about 20 with many connections, 50 with one
request at a time; 6 of them its own parsing and HMAC, the rest the event loop and the socket calls): a raw asyncio
protocol (uvloop when importable), one regular expression per request head, one HMAC. The courier phases keep
PartnerSim for its courier semantics.

    python3 bench/lean-sink.py --port P --secret whsec_<base64 key>

Every POST (any path) is answered 200 "ok" at once. Its webhook-signature header (a space-separated list of
`v1,<base64>`) must hold HMAC-SHA256, keyed with the base64-decoded part of the secret after `whsec_`, over
`{webhook-id}.{webhook-timestamp}.{body}`; the timestamp's age is not checked. A POST whose signature verifies is
counted under its webhook-id; one without webhook-id, webhook-timestamp or webhook-signature, or with no matching
signature, is counted as rejected (and still answered 200, so a signing fault shows in the counters, not as retries).

GET /_stats -> {"count": all POSTs, "distinct": distinct webhook ids of verified POSTs, "duplicates": verified POSTs
                beyond the first per id, "rejected": POSTs with a bad or missing signature or id}
               (count = distinct + duplicates + rejected)

HTTP/1.1 with keep-alive; pipelining-safe (requests are taken in order from the buffer, bodies by Content-Length).
Chunked or otherwise transfer-encoded requests, malformed heads and bodies over 16 MiB get 400 and the connection
is closed. Listens on 127.0.0.1 only; stops on SIGTERM or SIGINT. Standard library only.
"""
from __future__ import annotations

import argparse
import asyncio
import binascii
import hmac
import json
import re
import signal
import sys

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request"
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024

# The header lines this sink reads, found in one pass over the head: (lower-cased or not) name, raw value.
HEADER = re.compile(
    rb"\r\n(content-length|transfer-encoding|connection|webhook-id|webhook-timestamp|webhook-signature)"
    rb"[ \t]*:([^\r\n]*)",
    re.IGNORECASE,
)

KEY = b""
seen: dict[bytes, int] = {}  # verified POSTs per webhook-id
count = 0  # all POSTs
rejected = 0  # POSTs with a bad or missing signature, id or timestamp
logged_rejections = 0
connections: set[asyncio.Transport] = set()


def stats_response() -> bytes:
    verified = count - rejected
    body = json.dumps(
        {"count": count, "distinct": len(seen), "duplicates": verified - len(seen), "rejected": rejected}
    ).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def reject(why: str, wid: bytes | None) -> None:
    global rejected, logged_rejections
    rejected += 1
    if logged_rejections < 10:  # the first few only: the log's tail is shown when a run fails
        logged_rejections += 1
        print(f"lean sink: rejected POST (webhook-id {wid!r}): {why}", file=sys.stderr, flush=True)


class Sink(asyncio.Protocol):
    __slots__ = ("t", "buf")

    def connection_made(self, transport):  # type: ignore[override]
        self.t = transport
        self.buf = b""
        connections.add(transport)

    def connection_lost(self, exc) -> None:
        connections.discard(self.t)

    def data_received(self, data: bytes) -> None:
        global count
        buf = self.buf + data if self.buf else data
        pos = 0
        n = len(buf)
        out = []
        close = False  # after the responses in out, close the connection
        while pos < n:
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                if n - pos > MAX_HEAD:
                    out.append(BAD_REQUEST)
                    close = True
                break
            clen = -1  # no Content-Length: no body
            wid = ts = sig = None
            bad = False
            for name, value in HEADER.findall(buf, pos, end):
                name = name.lower()
                value = value.strip()
                if name == b"content-length":
                    if not value.isdigit() or (clen >= 0 and int(value) != clen):
                        bad = True
                        break
                    clen = int(value)
                elif name == b"webhook-id":
                    wid = value
                elif name == b"webhook-timestamp":
                    ts = value
                elif name == b"webhook-signature":
                    sig = value
                elif name == b"transfer-encoding":  # chunked bodies are not supported
                    bad = True
                    break
                elif value.lower() == b"close":  # connection: close
                    close = True
            if bad or clen > MAX_BODY:
                out.append(BAD_REQUEST)
                close = True
                break
            if clen < 0:
                clen = 0
            total = end + 4 + clen
            if total > n:
                close = False  # the body is not all here yet: read on (and look at this head again)
                break
            if buf.startswith(b"POST ", pos):
                count += 1
                if wid is None or ts is None or sig is None:
                    reject("missing webhook-id, webhook-timestamp or webhook-signature", wid)
                else:
                    mac = hmac.digest(KEY, wid + b"." + ts + b"." + buf[end + 4 : total], "sha256")
                    expected = b"v1," + binascii.b2a_base64(mac, newline=False)
                    for candidate in sig.split():
                        if hmac.compare_digest(candidate, expected):
                            seen[wid] = seen.get(wid, 0) + 1
                            break
                    else:
                        reject("no signature matches", wid)
                out.append(OK)
            elif buf.startswith(b"GET /_stats ", pos) or buf.startswith(b"GET /_stats?", pos):
                out.append(stats_response())
            else:
                out.append(NOT_FOUND)
            pos = total
            if close:
                break
        if out:
            self.t.write(out[0] if len(out) == 1 else b"".join(out))
        if close:
            self.buf = b""
            self.t.close()
        else:
            self.buf = buf[pos:] if pos < n else b""


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Sink, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    print(f"lean sink listening on 127.0.0.1:{port}", flush=True)
    await stop.wait()
    server.close()
    for transport in list(connections):
        transport.close()
    v = len(seen)
    print(f"lean sink stopping: {count} POSTs, {v} distinct ids, {count - rejected - v} duplicates, "
          f"{rejected} rejected", flush=True)


def main() -> None:
    global KEY
    parser = argparse.ArgumentParser(description="Lean Standard Webhooks sink for bench/worker-drain.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="whsec_ followed by the base64 of the key")
    args = parser.parse_args()
    if not args.secret.startswith("whsec_"):
        parser.error("--secret must start with whsec_")
    try:
        KEY = binascii.a2b_base64(args.secret[len("whsec_"):].encode())
    except binascii.Error as error:
        parser.error(f"--secret: not base64 after whsec_ ({error})")
    if not KEY:
        parser.error("--secret: empty key")
    try:
        import uvloop  # type: ignore[import-not-found]  # optional: the sink is leaner still with it
    except ImportError:
        asyncio.run(serve(args.port))
        return
    if hasattr(uvloop, "run"):  # uvloop >= 0.18
        uvloop.run(serve(args.port))
    else:
        uvloop.install()
        asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
