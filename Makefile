# The two commands a newcomer needs (README.md):
#   make serve   installs what is missing, builds, creates the demo registry/PKI/clients, and serves it
#   make test    installs what is missing, builds and runs every test
DEMO_DIR ?= var/demo
RESIDENTS ?= 100000
SWIFT ?= swift

.PHONY: deps build release test serve demo bench bench-http2 bench-e2e bench-cpu bench-micro bench-check bench-thresholds clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

demo: release
	@if [ ! -f $(DEMO_DIR)/config.json ]; then \
	  .build/release/idgate demo init --dir $(DEMO_DIR) --residents $(RESIDENTS); fi

serve: demo
	.build/release/idgate serve --demo $(DEMO_DIR)

bench-http2: deps
	scripts/bench-http2.sh

bench-e2e: deps
	scripts/bench-e2e.sh

# Server CPU per identity match, audit/signing off and on alternated (steadier than rates on a shared VM).
bench-cpu: deps
	scripts/bench-cpu.sh

bench-micro: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Micro-benchmarks against the p90 thresholds in Benchmarks/Thresholds/: fails (exit 2) on a regression beyond the
# tolerances in Benchmarks/Benchmarks/BenchSupport/Tolerance.swift. BENCH_SCRATCH=DIR builds elsewhere (tmpfs).
bench-check: deps
	SWIFT=$(SWIFT) Benchmarks/bench-check.sh check

# Re-records Benchmarks/Thresholds/ from a run on this machine, after an intended change (docs/BENCHMARKS.md).
bench-thresholds: deps
	SWIFT=$(SWIFT) Benchmarks/bench-check.sh update

bench: bench-http2 bench-e2e bench-micro

clean:
	rm -rf .build var
