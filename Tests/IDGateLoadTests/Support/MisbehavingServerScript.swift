/// A Python HTTP/2 server (h2 library) with one behaviour per mode, for testing the load generator against targets
/// that misbehave, and a tiny fake gateway (`gateway` mode) that speaks the API.md shapes:
/// - `close`: accepts TCP and closes at once (a TLS client sees its handshake refused);
/// - `garbage`: answers any bytes with an HTTP/1.1 response and binary junk;
/// - `reset`: HTTP/2, resets every stream with INTERNAL_ERROR;
/// - `stall`: HTTP/2 handshake, then never answers a request;
/// - `gateway`: answers match/batch/chip like the gateway (checking the bearer key and the chip signature
///   against the EC public key in data group 15) and serves `/metrics`.
/// - `draining`: `gateway`, but like a fleet node restarted under load: challenges live on their connection, and
///   a connection that has answered 20 requests goes away (GOAWAY) at its next chip verify, so that verify and any
///   later stream are refused (REFUSED_STREAM) while the streams before it are answered; then it closes.
let misbehavingServerScript = #"""
import base64, json, socket, sys, threading
import h2.config, h2.connection, h2.events
from hyperframe.frame import GoAwayFrame
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

mode = sys.argv[1]
api_key = sys.argv[2] if len(sys.argv) > 2 else "test-key"
challenges = {}
lock = threading.Lock()
counter = [0]

def gateway_response(path, headers, body, challenges=challenges):
    if path == "/metrics":
        return 200, "process_resident_memory_bytes 1.048576e+07\nprocess_open_fds 12\n"
    if headers.get("authorization") != "Bearer " + api_key:
        return 401, json.dumps({"error": {"code": "unauthenticated", "message": "no key"}})
    if path == "/v1/identity/match":
        request = json.loads(body)
        if request["idNumber"].endswith("9"):
            return 200, json.dumps({"transactionId": "t", "decision": "not_found"})
        return 200, json.dumps({"transactionId": "t", "decision": "match", "fields": {}})
    if path == "/v1/identity/match:batch":
        lines = [l for l in body.split(b"\n") if l]
        return 200, "".join(json.dumps({"decision": "match"}) + "\n" for _ in lines)
    if path == "/v1/chip/challenge":
        with lock:
            counter[0] += 1
            cid = "c%d" % counter[0]
            challenge = "%016x" % (0x1122334455667788 + counter[0])
            challenges[cid] = challenge
        return 200, json.dumps({"transactionId": "t", "challengeId": cid, "challenge": challenge, "expiresAt": "x"})
    if path == "/v1/chip/verify":
        request = json.loads(body)
        auth = request.get("activeAuth")
        if auth is None:
            return 200, json.dumps({"transactionId": "t", "decision": "invalid", "activeAuth": {"result": "not_performed"}})
        with lock:
            challenge = challenges.pop(auth["challengeId"], None)
        if challenge is None:
            return 422, json.dumps({"error": {"code": "invalid_field", "field": "activeAuth.challengeId"}})
        key = serialization.load_der_public_key(base64.b64decode(request["dataGroups"]["15"]))
        raw = base64.b64decode(auth["signature"])
        signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            key.verify(signature, bytes.fromhex(challenge), ec.ECDSA(hashes.SHA256()))
            return 200, json.dumps({"transactionId": "t", "decision": "valid", "activeAuth": {"result": "valid"}})
        except Exception:
            return 200, json.dumps({"transactionId": "t", "decision": "invalid", "activeAuth": {"result": "invalid"}})
    return 404, json.dumps({"error": {"code": "not_found"}})

def serve_h2(sock):
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    streams = {}
    local_challenges = {} if mode == "draining" else challenges
    answered = 0
    last_stream = None  # set by the GOAWAY: streams above it are refused
    while True:
        data = sock.recv(65536)
        if not data:
            return
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                headers = dict(event.headers)
                if mode == "reset":
                    conn.reset_stream(event.stream_id, error_code=2)
                elif last_stream is not None and event.stream_id > last_stream:
                    pass  # refused by the GOAWAY
                elif mode == "draining" and answered >= 20 and headers.get(":path") == "/v1/chip/verify":
                    # h2 cannot answer streams after its own GOAWAY: the frame is written behind its back.
                    last_stream = event.stream_id - 2
                    sock.sendall(conn.data_to_send())
                    frame = GoAwayFrame(0)
                    frame.last_stream_id = last_stream
                    frame.error_code = 0
                    sock.sendall(frame.serialize())
                else:
                    streams[event.stream_id] = (headers, bytearray())
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                if event.stream_id in streams:
                    streams[event.stream_id][1].extend(event.data)
            elif isinstance(event, h2.events.StreamEnded) and mode in ("gateway", "draining") and event.stream_id in streams:
                headers, body = streams.pop(event.stream_id)
                answered += 1
                status, text = gateway_response(headers[":path"], headers, bytes(body), local_challenges)
                payload = text.encode()
                conn.send_headers(event.stream_id, [(":status", str(status)), ("content-length", str(len(payload)))])
                conn.send_data(event.stream_id, payload, end_stream=True)
        sock.sendall(conn.data_to_send())
        if last_stream is not None and not streams:
            # Gone away and every stream below the GOAWAY answered: stop writing, read until the client closes.
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
            return

def handle(sock):
    try:
        if mode == "close":
            return
        if mode == "garbage":
            sock.recv(65536)
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + bytes(range(256)) * 4)
            while sock.recv(65536):
                pass
            return
        serve_h2(sock)
    except Exception:
        pass
    finally:
        try:
            sock.close()
        except Exception:
            pass

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(256)
print(listener.getsockname()[1], flush=True)
while True:
    client, _ = listener.accept()
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=handle, args=(client,), daemon=True).start()
"""#
