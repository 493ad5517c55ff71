#!/usr/bin/env python3
"""HTTP/2 abuse scenarios against a running idgate HTTP/2 server (h2c).

Usage: attacks.py SCENARIO HOST PORT
Prints one JSON object: what the attacked connection saw (statuses, resets, GOAWAY code, closed) and
`second_client_status`, the status a fresh, well-behaved connection got right after the attack.
Frames are written by hand (hyperframe + hpack, from the `h2` package) so the client can break the rules.
"""
import json
import socket
import sys
import time

from hpack import Decoder, Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM = 11


class RawClient:
    """A rule-breaking HTTP/2 client: sends arbitrary frames, records what the server answers."""

    def __init__(self, host, port, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect((host, port))
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.decoder.max_allowed_table_size = 65536
        self.pending = b""
        self.statuses = {}
        self.bodies = {}
        self.resets = {}
        self.goaway = None
        self.closed = False
        self.settings_seen = False

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def preface(self, settings=None):
        frame = SettingsFrame(0)
        frame.settings = settings or {}
        return self.send(PREFACE + frame.serialize())

    def request_headers(self, method="GET", path="/hello", extra=()):
        return [(":method", method), (":scheme", "http"), (":authority", "localhost"), (":path", path)] + list(extra)

    def headers(self, stream_id, headers, end_stream=True, end_headers=True):
        frame = HeadersFrame(stream_id)
        frame.data = self.encoder.encode(headers)
        frame.flags.add("END_HEADERS") if end_headers else None
        frame.flags.add("END_STREAM") if end_stream else None
        return frame.serialize()

    def data(self, stream_id, payload, end_stream=False):
        frame = DataFrame(stream_id)
        frame.data = payload
        if end_stream:
            frame.flags.add("END_STREAM")
        return frame.serialize()

    def read(self, timeout=2.0, until=None):
        """Reads frames until the connection closes, `until()` is true, or `timeout` seconds pass."""
        deadline = time.time() + timeout
        while time.time() < deadline and not self.closed:
            if until and until():
                return
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                self.closed = True
                return
            if not chunk:
                self.closed = True
                return
            self.pending += chunk
            self._parse()

    def _parse(self):
        while len(self.pending) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.pending[:9]))
            if len(self.pending) < 9 + length:
                return
            frame.parse_body(memoryview(self.pending[9:9 + length]))
            self.pending = self.pending[9 + length:]
            if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                self.settings_seen = True
                self.send(SettingsFrame(0, flags=["ACK"]).serialize())
            elif isinstance(frame, HeadersFrame):
                fields = dict(self.decoder.decode(frame.data))
                if ":status" in fields:
                    self.statuses[frame.stream_id] = int(fields[":status"])
            elif isinstance(frame, DataFrame):
                self.bodies[frame.stream_id] = self.bodies.get(frame.stream_id, b"") + frame.data
            elif isinstance(frame, RstStreamFrame):
                self.resets[frame.stream_id] = frame.error_code
            elif isinstance(frame, GoAwayFrame):
                self.goaway = frame.error_code

    def report(self, **extra):
        result = {
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "resets": {str(k): v for k, v in self.resets.items()},
            "goaway": self.goaway,
            "closed": self.closed,
        }
        result.update(extra)
        return result


def well_behaved_status(host, port):
    """A fresh connection's GET /hello: the server must still serve others."""
    try:
        client = RawClient(host, port)
        client.preface()
        client.send(client.headers(1, client.request_headers()))
        client.read(timeout=3, until=lambda: 1 in client.statuses)
        client.sock.close()
        return client.statuses.get(1)
    except OSError:
        return None


def bad_preface(c):
    c.send(b"GARBAGE\x00\x01\x02 this is not the HTTP/2 connection preface at all....")
    c.read(timeout=3)
    return c.report()


def malformed_frame(c):
    c.preface()
    # A PING must be exactly 8 bytes long: a 3-byte PING is a FRAME_SIZE_ERROR.
    c.send(b"\x00\x00\x03\x06\x00\x00\x00\x00\x00abc")
    c.read(timeout=3)
    return c.report()


def oversized_headers(c):
    c.preface()
    c.send(c.headers(1, c.request_headers(extra=[("x-big", "a" * 20000)])))
    c.read(timeout=3, until=lambda: 1 in c.statuses)
    c.send(c.headers(3, c.request_headers()))
    c.read(timeout=3, until=lambda: 3 in c.statuses)
    return c.report()


def hpack_bomb(c):
    c.preface()
    # One 4000-byte field enters the dynamic table; each repetition then costs one byte on the wire.
    bomb = [("x-bomb", "b" * 4000)] * 4000
    block = c.encoder.encode(c.request_headers() + bomb)
    frames = b""
    first = True
    while block:
        piece, block = block[:16384], block[16384:]
        frame = HeadersFrame(1) if first else ContinuationFrame(1)
        frame.data = piece
        if first:
            frame.flags.add("END_STREAM")
        if not block:
            frame.flags.add("END_HEADERS")
        frames += frame.serialize()
        first = False
    c.send(frames)
    c.read(timeout=5, until=lambda: 1 in c.statuses)
    c.send(c.headers(3, c.request_headers()))
    c.read(timeout=3, until=lambda: 3 in c.statuses)
    return c.report(wire_bytes=len(frames), decoded_bytes=4000 * 4006)


def too_many_streams(c, count=300):
    c.preface()
    # All at once, before acknowledging the server's SETTINGS (as an eager client would).
    c.send(b"".join(c.headers(2 * i + 1, c.request_headers()) for i in range(count)))
    c.read(timeout=5, until=lambda: len(c.statuses) + len(c.resets) >= count)
    refused = sum(1 for code in c.resets.values() if code == 7)
    return c.report(served=len(c.statuses), refused=refused)


def body_too_large(c):
    c.preface()
    c.read(timeout=2, until=lambda: c.settings_seen)  # our ACK makes the server's 1 MiB stream window apply
    time.sleep(0.1)
    c.send(c.headers(1, c.request_headers("POST", "/echo"), end_stream=False))
    # 6 MB, past the limit and past what the server drains before resetting, in rounds of 512 KB that stay
    # within the 1 MiB stream window the server re-opens as it discards.
    chunk = b"x" * 16384
    for _ in range(12):
        if not c.send(b"".join(c.data(1, chunk) for _ in range(32))):
            break
        c.read(timeout=0.2)
    c.read(timeout=3, until=lambda: 1 in c.statuses and 1 in c.resets)
    body = c.bodies.get(1, b"").decode(errors="replace")
    return c.report(body=body)


def rapid_reset(c, count=5000):
    c.preface()
    frames = b""
    for i in range(count):
        stream_id = 2 * i + 1
        frames += c.headers(stream_id, c.request_headers("POST", "/echo"), end_stream=False)
        frames += RstStreamFrame(stream_id, error_code=8).serialize()
    c.send(frames)
    c.read(timeout=5)
    return c.report()


def continuation_flood(c, count=10000):
    c.preface()
    frames = c.headers(1, c.request_headers(), end_stream=True, end_headers=False)
    for _ in range(count):
        frame = ContinuationFrame(1)
        frame.data = c.encoder.encode([("x-flood", "y")])
        frames += frame.serialize()
    c.send(frames)
    c.read(timeout=5)
    return c.report()


def settings_flood(c, count=20000):
    c.preface()
    c.send(b"".join(SettingsFrame(0).serialize() for _ in range(count)))
    c.read(timeout=5)
    return c.report()


def ping_flood(c, count=20000):
    c.preface()
    c.send(b"".join(PingFrame(0, opaque_data=b"12345678").serialize() for _ in range(count)))
    c.read(timeout=5)
    return c.report()


def zero_window(c):
    # The client allows no response data at all and never opens its window: the response stays buffered
    # (bounded by its size) until the idle timeout closes the connection.
    c.preface({SettingsFrame.INITIAL_WINDOW_SIZE: 0})
    c.send(c.headers(1, c.request_headers("GET", "/big")))
    start = time.time()
    c.read(timeout=10)
    return c.report(seconds_to_close=round(time.time() - start, 2), body_bytes=len(c.bodies.get(1, b"")))


def slowloris(c, count=20):
    others = [socket.create_connection(("127.0.0.1", c.sock.getpeername()[1])) for _ in range(count)]
    c.send(PREFACE[:10])  # a partial preface, then nothing
    start = time.time()
    status_during = well_behaved_status(*c.sock.getpeername())
    c.read(timeout=10)
    closed = 0
    for sock in others:
        sock.settimeout(max(0.1, 10 - (time.time() - start)))
        try:
            while sock.recv(4096):
                pass
            closed += 1
        except (socket.timeout, OSError):
            pass
        sock.close()
    return c.report(seconds_to_close=round(time.time() - start, 2), idle_closed=closed,
                    status_during=status_during)


SCENARIOS = {f.__name__: f for f in [bad_preface, malformed_frame, oversized_headers, hpack_bomb, too_many_streams,
                                     body_too_large, rapid_reset, continuation_flood, settings_flood, ping_flood,
                                     zero_window, slowloris]}

if __name__ == "__main__":
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = RawClient(host, port, receive_buffer=4096 if scenario in ("settings_flood", "ping_flood") else None)
    result = SCENARIOS[scenario](client)
    result["second_client_status"] = well_behaved_status(host, port)
    print(json.dumps(result))
