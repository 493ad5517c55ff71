#!/usr/bin/env python3
"""Steady identity-match load for the kill -9 crash test: prints the transactionId of every 200 as soon as it
arrives (one line each, flushed), so the test knows exactly which answers a client saw before the server died.

Reads {"port", "apiKey", "bodies": [str], "connections", "streams"} on stdin. Each connection (its own httpx
client, HTTP/2 prior knowledge) runs `streams` loops that post the bodies round robin. A loop stops at its first
transport error (the server was killed); the script ends when every loop has stopped, or after 120 s.
"""
import asyncio
import json
import sys

import httpx


async def connection(spec, offset):
    headers = {"authorization": f"Bearer {spec['apiKey']}", "content-type": "application/json"}
    bodies = spec["bodies"]
    async with httpx.AsyncClient(http1=False, http2=True, timeout=30.0,
                                 base_url=f"http://127.0.0.1:{spec['port']}") as client:
        async def loop(start):
            index = start
            while True:
                try:
                    response = await client.post("/v1/identity/match", headers=headers,
                                                 content=bodies[index % len(bodies)].encode())
                except (httpx.HTTPError, OSError):
                    return
                if response.status_code == 200:
                    print(response.json()["transactionId"], flush=True)
                index += 1
        await asyncio.gather(*(loop(offset + i) for i in range(spec["streams"])))


async def main():
    spec = json.load(sys.stdin)
    runs = [connection(spec, c * spec["streams"]) for c in range(spec["connections"])]
    await asyncio.wait_for(asyncio.gather(*runs), timeout=120)


if __name__ == "__main__":
    asyncio.run(main())
