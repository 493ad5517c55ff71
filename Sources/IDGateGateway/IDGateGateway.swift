// IDGateGateway: see docs/ARCHITECTURE.md
