#!/usr/bin/env bash
# Runs a command with the real PC/SC stack up, so the card's end-to-end tests run instead of
# skipping:
#   scripts/with-pcscd.sh cargo test --all-targets
# Installs pcscd and vsmartcard-vpcd with apt-get when they are missing (and, for the tests
# that run the virtual card against PIV tools nobody on this project wrote, yubico-piv-tool and
# opensc: when they cannot be installed those tests skip with a notice), starts
# `pcscd --foreground --info` unless one is running already, waits for "daemon ready", runs the
# command with MERCHANT_DESK_REQUIRE_PCSCD=1 (the tests then fail rather than skip without
# pcscd), and stops the pcscd it started however the command ends. Exits with the command's
# status.
set -u

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
fi

vpcd_installed() {
    # The vpcd driver bundle (Debian: /usr/lib/pcsc/drivers/serial/libifdvpcd.so + reader.conf.d).
    dpkg-query -W -f='${Status}' vsmartcard-vpcd 2>/dev/null | grep -q "install ok installed"
}

if ! command -v pcscd >/dev/null 2>&1 && [ ! -x /usr/sbin/pcscd ] || ! vpcd_installed; then
    echo "with-pcscd: installing pcscd and vsmartcard-vpcd" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq || { echo "with-pcscd: apt-get update failed" >&2; exit 1; }
    $SUDO apt-get install -y -qq pcscd vsmartcard-vpcd >/dev/null ||
        { echo "with-pcscd: apt-get install pcscd vsmartcard-vpcd failed" >&2; exit 1; }
fi

PIV_TOOLS=""
if command -v yubico-piv-tool >/dev/null 2>&1 && command -v pkcs15-tool >/dev/null 2>&1; then
    PIV_TOOLS=1
else
    echo "with-pcscd: installing yubico-piv-tool and opensc" >&2
    export DEBIAN_FRONTEND=noninteractive
    if { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq yubico-piv-tool opensc; } \
        >/dev/null 2>&1; then
        PIV_TOOLS=1
    else
        echo "with-pcscd: could not install yubico-piv-tool and opensc; their test skips" >&2
    fi
fi

PCSCD=$(command -v pcscd || echo /usr/sbin/pcscd)
STARTED_PID=""
LOG=$(mktemp "${TMPDIR:-/tmp}/with-pcscd.XXXXXX.log")

cleanup() {
    if [ -n "$STARTED_PID" ] && kill -0 "$STARTED_PID" 2>/dev/null; then
        kill "$STARTED_PID" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$STARTED_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$STARTED_PID" 2>/dev/null
        wait "$STARTED_PID" 2>/dev/null
    fi
    rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

running_pcscd() {
    # A pcscd of this machine answering on its socket.
    [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null 2>&1
}

if running_pcscd; then
    echo "with-pcscd: using the pcscd already running" >&2
else
    # A socket left behind by a pcscd that died keeps a new one from starting.
    $SUDO rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid 2>/dev/null
    $SUDO mkdir -p /run/pcscd
    $SUDO "$PCSCD" --foreground --info >"$LOG" 2>&1 &
    STARTED_PID=$!
    ready=""
    for _ in $(seq 1 100); do
        if grep -q "daemon ready" "$LOG" 2>/dev/null; then
            ready=1
            break
        fi
        if ! kill -0 "$STARTED_PID" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    if [ -z "$ready" ]; then
        echo "with-pcscd: pcscd did not become ready within 10 s; its log:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    echo "with-pcscd: pcscd started (pid $STARTED_PID)" >&2
fi

if [ -n "$PIV_TOOLS" ]; then
    export MERCHANT_DESK_REQUIRE_PIV_TOOLS=1
fi
MERCHANT_DESK_REQUIRE_PCSCD=1 "$@"
status=$?
exit $status
