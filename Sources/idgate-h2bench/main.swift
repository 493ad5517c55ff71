// A trivial-route HTTP/2 server for the transport benchmark (scripts/bench-http2.sh): measures the HTTP/2 core alone.
