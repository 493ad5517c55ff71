// IDGateHTTP2: see docs/ARCHITECTURE.md
