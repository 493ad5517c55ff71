# The two commands a newcomer needs (README.md):
#   make serve   installs what is missing, builds, creates the demo registry/PKI/clients, and serves it
#   make test    installs what is missing, builds and runs every test
DEMO_DIR ?= var/demo
RESIDENTS ?= 100000
SWIFT ?= swift
# Release builds of the hot paths skip exclusivity checks at run time. Given here, not in Package.swift, so the
# library products stay usable as dependencies (no unsafeFlags); scripts/bench-*.sh pass the same flag.
RELEASE_FLAGS ?= -Xswiftc -enforce-exclusivity=unchecked

# The tests and scripts call `python3` by name: the repository's virtual environment (made by scripts/install-deps.sh,
# with h2, httpx, schemathesis, cryptography) comes first, whatever else is on PATH (system python3, pyenv).
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: deps build release test serve demo fleet-check bench bench-http2 bench-e2e bench-cpu bench-micro bench-check bench-thresholds clean fuzz sanitize overload-check

deps:
	@scripts/install-deps.sh

build: deps
	@echo "make: building (debug; the first build takes 10-25 minutes on 2 cores, later ones seconds)"
	$(SWIFT) build

release: deps
	@echo "make: building release (the first build takes 10-25 minutes on 2 cores, later ones seconds)"
	$(SWIFT) build -c release $(RELEASE_FLAGS)

test: deps
	@echo "make: building the tests and running every test (the first build takes 10-25 minutes on 2 cores, the run about a minute)"
	$(SWIFT) test
	@echo "make: a short fleet check on the debug build (PostgreSQL, 3 nodes behind HAProxy, SIGKILL, rolling restart, updates; 2-4 minutes)"
	$(SWIFT) build
	scripts/fleet-check.sh --short $(CURDIR)/.build/debug
	@echo "make: 20 s of libFuzzer per parser target from the committed corpora (FuzzClients, which builds the whole server with ASan, is replayed by the tests instead; 5-7 minutes)"
	FUZZ_SECONDS=20 TARGETS="$(CI_FUZZ_TARGETS)" scripts/fuzz.sh

demo: release
	@if [ ! -f $(DEMO_DIR)/config.json ]; then \
	  echo "make: creating the demo in $(DEMO_DIR): $(RESIDENTS) residents, PKI, cards, TLS, clients"; \
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

# A fleet on this machine: PostgreSQL, 3 nodes, HAProxy; faults under load; summary in var/fleet-check.json.
fleet-check: release
	@mkdir -p var
	scripts/fleet-check.sh --json var/fleet-check.json $(CURDIR)/.build/release

bench: bench-http2 bench-e2e bench-micro

# The fuzz targets `make test` runs briefly: their sanitizer builds take about four minutes together (FuzzClients,
# which compiles the whole server with ASan, about half an hour: replayed by the tests only).
CI_FUZZ_TARGETS = FuzzWire FuzzStore FuzzChip FuzzAudit

# libFuzzer targets (Fuzz/), FUZZ_SECONDS each (default 20) from the seed corpora; crashes in var/fuzz/crashes/.
fuzz: deps
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),20) scripts/fuzz.sh

# C helpers under ASan + UBSan, the concurrency-heavy suites under ThreadSanitizer (.build-tsan).
sanitize: deps
	scripts/sanitize.sh

# Overload: closed-loop peak, then 3x that open-loop with health probes and RSS (docs/RELIABILITY.md).
overload-check: release
	scripts/overload-check.sh

# Keeps .venv (the Python packages); `rm -rf .venv` to reinstall them.
clean:
	rm -rf .build var
