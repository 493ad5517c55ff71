#!/usr/bin/env bash
# Sanitizer runs (docs/RELIABILITY.md):
# 1. The C helpers (CRC-32C, SHA-256/HMAC, the small-block pool) compiled with AddressSanitizer and
#    UndefinedBehaviorSanitizer and exercised by Tests/Sanitize/c_helpers_check.c (seconds).
# 2. The concurrency-heavy test suites under ThreadSanitizer, in their own build folder (.build-tsan; the first
#    build takes 20-40 minutes on 2 cores): the HTTP/2 server (abuse, shutdown, streaming, loop waits), the audit
#    log (writer thread, group commit, failures), the overload and rate-limit tests.
#
#   make sanitize
#   TSAN_FILTER='AbuseTests' scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
# The Swift toolchain brings clang with its sanitizer runtimes; a system cc (gcc + libasan) works too.
CC=${CC:-$(command -v clang || echo cc)}
mkdir -p var
echo "sanitize: C helpers under ASan + UBSan" >&2
"$CC" -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -ISources/CIDGateSupport/include Sources/CIDGateSupport/*.c Tests/Sanitize/c_helpers_check.c \
    -o var/c_helpers_check -pthread
var/c_helpers_check

TSAN_FILTER=${TSAN_FILTER:-'AbuseTests|ShutdownTests|StreamingTests|LoopWaitTests|BlockPoolTests|AuditLogTests|AuditFailureTests|AuditCrashTests|OverloadEndToEndTests|LoopOverloadTests|RateLimiterTests|IdentityMatchEndToEndTests'}
echo "sanitize: ThreadSanitizer, suites matching $TSAN_FILTER" >&2
# Every report is printed (not only the first); any report not suppressed makes the run fail (TSan's exit code 66).
# The suppressions are false positives of the standard library's Mutex under contention (see the file).
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0 suppressions=$PWD/Tests/Sanitize/tsan-suppressions.txt} \
    swift test --scratch-path .build-tsan -Xswiftc -sanitize=thread --filter "$TSAN_FILTER"
