#!/usr/bin/env python3
"""A real third-party HTTP/2 client (httpx over h2) for the end-to-end tests.

Reads {"base": URL, "ca": path?, "cert": path?, "key": path?, "requests": [{"method", "path", "headers": {},
"body": str?, "bodyFile": path?}]} on stdin, sends the requests in order over ONE HTTP/2 connection (h2c prior
knowledge for http://, TLS with ALPN h2 for https://), prints [{"status", "httpVersion", "headers", "body"}] as JSON.
A transport failure is reported as {"error": "..."} for that request. With "concurrent": true the requests are sent
all at once on the one connection (concurrent streams) instead of one after another.
"""
import asyncio
import json
import ssl
import sys

import httpx


def result(response):
    return {"status": response.status_code, "httpVersion": response.http_version,
            "headers": dict(response.headers), "body": response.text}


async def send_concurrently(spec, kwargs):
    async with httpx.AsyncClient(base_url=spec["base"], **kwargs) as client:
        async def one(request):
            try:
                return result(await client.request(request.get("method", "GET"), request["path"],
                                                   headers=request.get("headers", {}),
                                                   content=(request.get("body") or "").encode()))
            except httpx.HTTPError as error:
                return {"error": f"{type(error).__name__}: {error}"}
        # The first request opens the connection; the rest then share it as concurrent streams.
        first = await one(spec["requests"][0])
        return [first] + list(await asyncio.gather(*(one(r) for r in spec["requests"][1:])))


def main():
    spec = json.load(sys.stdin)
    base = spec["base"]
    kwargs = {"http1": False, "http2": True, "timeout": spec.get("timeout", 20.0)}
    if base.startswith("https://"):
        context = ssl.create_default_context(cafile=spec.get("ca"))
        if spec.get("cert"):
            context.load_cert_chain(spec["cert"], spec["key"])
        kwargs["verify"] = context
    if spec.get("concurrent"):
        json.dump(asyncio.run(send_concurrently(spec, kwargs)), sys.stdout)
        return
    results = []
    with httpx.Client(base_url=base, **kwargs) as client:
        for request in spec["requests"]:
            body = request.get("body")
            if request.get("bodyFile"):
                body = open(request["bodyFile"], "rb").read()
            try:
                response = client.request(request.get("method", "GET"), request["path"],
                                          headers=request.get("headers", {}),
                                          content=body.encode() if isinstance(body, str) else body)
                results.append(result(response))
            except httpx.HTTPError as error:
                results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
