#!/usr/bin/env bash
# Runs every test of the project on this machine, installing what a fresh Debian machine
# lacks and starting MariaDB if none answers. Exits non-zero when anything fails.
#
#   bash tests/all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;; esac
bash tests/setup.sh

step() { printf '\n== %s\n' "$*"; }
passed=0
failed=0
record() {
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $*"; fi
}

step "build (the committed header must match the exported functions)"
cargo build --locked --quiet
if ! git diff --quiet -- include/account_sync.h 2>/dev/null; then
    echo "include/account_sync.h changed when it was regenerated; commit the new header:"
    git --no-pager diff -- include/account_sync.h | head -40
    exit 1
fi

header_loads_in_php() {
    php -r '
        $ffi = FFI::cdef(file_get_contents("include/account_sync.h"), "target/debug/libaccount_sync.so");
        if ($ffi->as_version() === "") { exit(1); }
        echo "the committed header loads in FFI::cdef, library ", $ffi->as_version(), "\n";'
}

step "lint"
record cargo clippy --locked --quiet --all-targets -- -D warnings
record cargo fmt --check

step "header in PHP FFI"
record header_loads_in_php

step "Rust unit and end-to-end tests (real MariaDB, php -S sites, HTTP)"
record cargo test --locked

step "PHP tests"
record env ACCOUNT_SYNC_LIB="$PWD/target/debug/libaccount_sync.so" phpunit -c tests/php/phpunit.xml

step "browser tests (headless Chromium)"
record python3 tests/browser/admin_test.py

# Each fuzz target runs for a bounded time from the committed seeds; new inputs go to a
# scratch folder, crashes to tests/fuzz/artifacts/ (a crash fails this step).
fuzz() {
    local target="$1" scratch status
    scratch="$(mktemp -d)"
    cargo fuzz run --fuzz-dir tests/fuzz --sanitizer none "$target" "$scratch" "tests/fuzz/corpus/$target" \
        -- -max_total_time="${FUZZ_SECONDS:-20}" >"$scratch.log" 2>&1
    status=$?
    grep -E 'Done [0-9]+ runs|ERROR|panicked' "$scratch.log" || tail -20 "$scratch.log"
    rm -rf "$scratch" "$scratch.log"
    return "$status"
}
step "fuzzing (request parser, record decoder)"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
record fuzz request_parser
record fuzz record_decoder

printf '\nsuites: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
