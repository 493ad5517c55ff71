// IDGateMatching: see docs/ARCHITECTURE.md
