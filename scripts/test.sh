#!/usr/bin/env bash
# The whole test suite, on both backends, on a fresh machine:
#   scripts/test.sh
# Starts a throwaway PostgreSQL cluster (scripts/with-postgres.sh, installing the Debian package
# when it is missing) and the PC/SC stack (scripts/with-pcscd.sh), then runs every test target on
# SQLite, and the store, service, process, card and tape tests again with each test's database on
# the PostgreSQL server (MERCHANT_DESK_TEST_BACKEND=postgres). Both daemons are required: a test
# that needs one fails rather than skips (MERCHANT_DESK_REQUIRE_PG=1, MERCHANT_DESK_REQUIRE_PCSCD=1).
# Extra arguments go to both cargo runs (e.g. `scripts/test.sh -- --test-threads=2`).
set -u
cd "$(dirname "$0")/.."
exec scripts/with-postgres.sh scripts/with-pcscd.sh bash -c '
    echo "== the suite on SQLite" >&2
    cargo test --all-targets "$@" || exit $?
    echo "== the suite on PostgreSQL" >&2
    MERCHANT_DESK_TEST_BACKEND=postgres cargo test --tests "$@"
' test.sh "$@"
