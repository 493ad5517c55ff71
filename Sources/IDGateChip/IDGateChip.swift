// IDGateChip: see docs/ARCHITECTURE.md
