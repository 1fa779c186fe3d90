"""A loopback HTTP proxy that holds each request DELAY ms before forwarding it to an emulator,
with any number of requests in flight at once: real AWS answers in tens of milliseconds and
serves many calls in parallel, a local emulator answers in a few milliseconds (one at a time).
The kernel's netem qdisc would do this, but is not available on every machine. Requests are
handed to the emulator one at a time: it serves them one at a time anyway, and given many at
once its threads contend for the interpreter lock and every request takes longer.

  delay_proxy.py --upstream http://127.0.0.1:PORT [--delay-ms 30] [--replay]

With --replay, each distinct read is forwarded once and its answer kept: a request that was seen
before (same method, path, query, body, JSON target, and the account key, region and service it
is signed for; not its date or signature) is answered from memory after the delay, without the
emulator. Scanners only read, so a second run of a tool gets the answers of the first while
requests are served in parallel, as AWS serves them, rather than one at a time by the emulator.

Prints its port, then serves until killed. GET /__proxy/stats returns
{"requests": n, "replayed": n, "by_operation": {op: n}, "upstream_seconds": {op: s}} (the time
each operation spent in the emulator, queueing included); POST /__proxy/reset zeroes the counters
(not the replay memory).
"""

import argparse
import asyncio
import json
import re
import sys
import time
import urllib.parse

EMULATOR = asyncio.Semaphore(1)
STATS = {"requests": 0, "replayed": 0, "by_operation": {}, "upstream_seconds": {}}


def replay_key(head, body):
    """What identifies a read for --replay (see the module documentation)."""
    request_line = head.split(b"\r\n", 1)[0]
    credential = re.search(rb"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/", head)
    target = re.search(rb"(?im)^x-amz-target:\s*(\S+)", head)
    return (
        request_line,
        credential.groups() if credential else None,
        target.group(1) if target else None,
        body,
    )


def operation_of(head, body):
    """A request's operation, for counting: the query Action, the JSON target, or the path."""
    action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action")
    if action:
        return action[0]
    target = re.search(rb"(?im)^x-amz-target:\s*(\S+)", head)
    if target:
        return target.group(1).decode().rsplit(".", 1)[-1]
    method, target = head.split(b" ", 2)[:2]
    segments = target.decode(errors="replace").split("?", 1)[0].strip("/").split("/")
    # REST paths alternate collection and name: /clusters/NAME/node-groups/NAME.
    shape = "/".join(s if i % 2 == 0 else "*" for i, s in enumerate(segments))
    return f"{method.decode()} /{shape}"


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    body = await reader.readexactly(int(match.group(1))) if match else b""
    return head, body


async def read_response(reader, method):
    """One response, read by its framing (Content-Length or chunks) rather than until the
    emulator closes the connection: its server closes ~10 ms after the last byte, which would
    otherwise be added to every request. Returns the status line and headers, and the body."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
        return head, b""
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if length:
        return head, await reader.readexactly(int(length.group(1)))
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return head, body
            body += (await reader.readexactly(size + 2))[:-2]
    return head, await reader.read()


async def forward(upstream, head, body):
    reader, writer = await asyncio.open_connection(upstream.hostname, upstream.port)
    # One request per upstream connection: the emulator's server does not keep connections.
    head = re.sub(rb"(?im)^connection:[^\r\n]*\r\n", b"", head)
    head = head[:-2] + b"Connection: close\r\n\r\n"
    writer.write(head + body)
    await writer.drain()
    response = await read_response(reader, head.split(b" ", 1)[0])
    writer.close()
    return response


def reframed(head, body):
    """The response with a Content-Length and kept alive towards the client."""
    head = re.sub(rb"(?im)^(content-length|connection|transfer-encoding):[^\r\n]*(\r\n)?", b"", head).rstrip(b"\r\n")
    return head + b"\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(body) + body


async def serve(reader, writer, upstream, delay, replay):
    try:
        while True:
            try:
                head, body = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            if head.startswith(b"GET /__proxy/stats"):
                payload = json.dumps(STATS).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
                await writer.drain()
                continue
            if head.startswith(b"POST /__proxy/reset"):
                STATS.update(requests=0, replayed=0, by_operation={}, upstream_seconds={})
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                continue
            operation = operation_of(head, body)
            STATS["requests"] += 1
            STATS["by_operation"][operation] = STATS["by_operation"].get(operation, 0) + 1
            await asyncio.sleep(delay)
            key = replay_key(head, body) if replay is not None else None
            if key in (replay or {}):
                STATS["replayed"] += 1
                response_head, response_body = replay[key]
            else:
                started = time.monotonic()
                async with EMULATOR:
                    response_head, response_body = await forward(upstream, head, body)
                spent = STATS["upstream_seconds"]
                spent[operation] = spent.get(operation, 0) + time.monotonic() - started
                if replay is not None and int(response_head.split(b" ", 2)[1]) < 500:
                    replay[key] = (response_head, response_body)
            writer.write(reframed(response_head, response_body))
            await writer.drain()
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--delay-ms", type=float, default=30)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--replay", action="store_true", help="answer a read seen before from memory")
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    replay = {} if args.replay else None
    server = await asyncio.start_server(
        lambda r, w: serve(r, w, upstream, args.delay_ms / 1000, replay), "127.0.0.1", args.port, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
