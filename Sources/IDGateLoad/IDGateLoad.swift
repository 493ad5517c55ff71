// IDGateLoad: see docs/ARCHITECTURE.md
