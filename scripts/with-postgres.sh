#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster up, so the PostgreSQL backend's tests run
# instead of skipping:
#   scripts/with-postgres.sh cargo test --all-targets
# Finds initdb and pg_ctl (on PATH, following links to the real bin directory, else
# /usr/lib/postgresql/*/bin), installing the Debian package postgresql with apt-get when they are
# missing. Makes a temporary directory holding the cluster and its Unix socket (no TCP at all:
# listen_addresses is empty, so concurrent runs cannot collide on a port), initdb's it with
# trust authentication and superuser postgres, starts it with durability off (fsync,
# synchronous_commit, full_page_writes: the data is thrown away anyway, and it makes the tests
# several times faster), then runs the command with
#   MERCHANT_DESK_TEST_PG   a connection string for that socket, user postgres, database postgres
#   MERCHANT_DESK_REQUIRE_PG=1   (the tests then fail rather than skip without PostgreSQL)
# and stops the cluster and removes the directory however the command ends. Exits with the
# command's status.
# PostgreSQL refuses to run as root, so as root the server (initdb, pg_ctl) runs as the postgres
# user and owns the directory; the command itself still runs as the caller.
# When MERCHANT_DESK_TEST_PG is set already (a server someone runs), it just runs the command.
set -u

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [ -n "${MERCHANT_DESK_TEST_PG:-}" ]; then
    echo "with-postgres: using MERCHANT_DESK_TEST_PG from the environment" >&2
    MERCHANT_DESK_REQUIRE_PG=1 "$@"
    exit $?
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
fi

find_pg_bin() {
    # The directory holding initdb and pg_ctl. Debian puts them only in
    # /usr/lib/postgresql/N/bin (not on PATH); a link on PATH is followed there, so psql and
    # pg_ctl come from the same version as initdb.
    local p dir
    if p=$(command -v initdb 2>/dev/null); then
        dir=$(dirname "$(readlink -f "$p")")
        if [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    fi
    # Newest version first.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! PG_BIN=$(find_pg_bin); then
    echo "with-postgres: installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq || { echo "with-postgres: apt-get update failed" >&2; exit 1; }
    $SUDO apt-get install -y -qq postgresql >/dev/null ||
        { echo "with-postgres: apt-get install postgresql failed" >&2; exit 1; }
    PG_BIN=$(find_pg_bin) ||
        { echo "with-postgres: postgresql installed but initdb/pg_ctl not found" >&2; exit 1; }
fi

PSQL=""
if [ -x "$PG_BIN/psql" ]; then
    PSQL="$PG_BIN/psql"
elif command -v psql >/dev/null 2>&1; then
    PSQL=$(command -v psql)
fi

# A Unix socket path is limited to 107 bytes; a long TMPDIR would make the server fail to
# create "$DIR/.s.PGSQL.5432", so fall back to /tmp then.
TMP_BASE=${TMPDIR:-/tmp}
if [ "${#TMP_BASE}" -gt 60 ]; then
    TMP_BASE=/tmp
fi
DIR=$(mktemp -d "$TMP_BASE/with-pg.XXXXXX") ||
    { echo "with-postgres: mktemp -d failed" >&2; exit 1; }
DATA="$DIR/data"
LOG="$DIR/server.log"

# as_pg CMD...: runs CMD as the user the server belongs to (postgres when we are root). Run from
# the temporary directory: the postgres user usually cannot enter the caller's working directory,
# and initdb/pg_ctl complain when they cannot.
if [ "$(id -u)" -eq 0 ]; then
    if ! id -u postgres >/dev/null 2>&1; then
        echo "with-postgres: creating the system user postgres" >&2
        useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
            --shell /bin/sh postgres ||
            { echo "with-postgres: useradd postgres failed" >&2; rm -rf "$DIR"; exit 1; }
    fi
    chown postgres: "$DIR"
    if command -v runuser >/dev/null 2>&1; then
        as_pg() { (cd "$DIR" && runuser -u postgres -- "$@"); }
    else
        as_pg() {
            local q
            q=$(printf '%q ' "$@")
            (cd "$DIR" && su -s /bin/sh postgres -c "$q")
        }
    fi
else
    as_pg() { (cd "$DIR" && "$@"); }
fi

STARTED=""
cleanup() {
    if [ -n "$STARTED" ]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate -s >/dev/null 2>&1
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$PG_BIN/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 --locale=C \
    >"$DIR/initdb.log" 2>&1; then
    echo "with-postgres: initdb failed; its output:" >&2
    cat "$DIR/initdb.log" >&2
    exit 1
fi

# -k: the socket goes in $DIR only (not /var/run/postgresql, which may not exist or be
# someone else's); max_connections well above the default 100 for parallel tests with pools.
if ! as_pg "$PG_BIN/pg_ctl" start -D "$DATA" -l "$LOG" -s -w -t 30 \
    -o "-k $DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"; then
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$LOG" >&2
    exit 1
fi
STARTED=1

# The socket directory percent-encoded as the URL's host: libpq (psql) and tokio-postgres (the
# Rust postgres crate 0.19) both read a host that decodes to an absolute path as the directory
# of a Unix socket, here "$DIR/.s.PGSQL.5432". Only characters outside [A-Za-z0-9._~-] are
# encoded (mktemp's names use letters and digits only).
# For example postgresql://postgres@%2Ftmp%2Fwith-pg.AbC123/postgres
urlencode() {
    local LC_ALL=C  # bytes, so a non-ASCII byte is encoded as UTF-8 %XX
    local s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9._~-]) out+="$c" ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}
export MERCHANT_DESK_TEST_PG="postgresql://postgres@$(urlencode "$DIR")/postgres"

# The exact string the command gets, tried once (as the caller, as the command will connect).
if [ -n "$PSQL" ] && ! "$PSQL" "$MERCHANT_DESK_TEST_PG" -XAtqc 'select 1' >/dev/null 2>&1; then
    echo "with-postgres: cannot connect with $MERCHANT_DESK_TEST_PG; the server log:" >&2
    cat "$LOG" >&2
    exit 1
fi
echo "with-postgres: PostgreSQL up at $MERCHANT_DESK_TEST_PG" >&2

MERCHANT_DESK_REQUIRE_PG=1 "$@"
status=$?
exit $status
