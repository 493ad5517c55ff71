#!/usr/bin/env python3
"""A real third-party HTTP/2 client (httpx over h2) for the end-to-end tests.

Reads {"base": URL, "ca": path?, "cert": path?, "key": path?, "requests": [{"method", "path", "headers": {},
"body": str?, "bodyFile": path?}]} on stdin, sends the requests in order over ONE HTTP/2 connection (h2c prior
knowledge for http://, TLS with ALPN h2 for https://), prints [{"status", "httpVersion", "headers", "body"}] as JSON.
A transport failure is reported as {"error": "..."} for that request.
"""
import json
import ssl
import sys

import httpx


def main():
    spec = json.load(sys.stdin)
    base = spec["base"]
    kwargs = {"http1": False, "http2": True, "timeout": spec.get("timeout", 20.0)}
    if base.startswith("https://"):
        context = ssl.create_default_context(cafile=spec.get("ca"))
        if spec.get("cert"):
            context.load_cert_chain(spec["cert"], spec["key"])
        kwargs["verify"] = context
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
                results.append({"status": response.status_code, "httpVersion": response.http_version,
                                "headers": dict(response.headers), "body": response.text})
            except httpx.HTTPError as error:
                results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
