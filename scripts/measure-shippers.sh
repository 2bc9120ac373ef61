#!/usr/bin/env bash
# Measures what log followers ship while 4 writer processes rotate the log
# (the figures of docs/shipping.md):
# the shipper tests (inotify followers, and rsyslog restarted during
# rotations), then the followers that poll, each as a table row.
#
# Needs root for apt-get: rsyslog is installed, and syslog-ng (which
# conflicts with rsyslog as a package) is unpacked under target/ and run
# from there with its own configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"

if ! command -v rsyslogd >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsyslog >/dev/null
fi

ng=target/syslog-ng
if [ ! -x "$ng/run" ]; then
    mkdir -p "$ng"
    # Its libraries, then the package itself unpacked, not installed.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libivykis0 libnet1 libpcre3 libwrap0 libjson-c5 >/dev/null
    (cd "$ng" && apt-get download -qq syslog-ng-core && dpkg -x syslog-ng-core_*.deb root)
    cat > "$ng/run" <<'RUN'
#!/bin/sh
root="$(dirname "$0")/root"
version="$(ls "$root/usr/lib/syslog-ng" | grep -E '^[0-9]+\.[0-9]+$' | head -n 1)"
LD_LIBRARY_PATH="$root/usr/lib/syslog-ng" exec "$root/usr/sbin/syslog-ng" \
    --module-path="$root/usr/lib/syslog-ng/$version" "$@"
RUN
    chmod +x "$ng/run"
fi
export CRF_SYSLOG_NG="$PWD/$ng/run"

cargo test --release -p concurrent-rotating-file-tools --test shippers -- \
    --include-ignored --nocapture --test-threads=1 2>&1 | grep -E '^\||^test |SKIPPED|panicked'
