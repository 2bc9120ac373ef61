#!/usr/bin/env bash
# Installs the log followers the shipper tests run, from Debian's packages
# (as root): rsyslog, installed; syslog-ng, unpacked under
# target/followers/ with the libraries it needs that the system lacks
# (installing Debian's syslog-ng-core would remove rsyslog: the two
# packages conflict). Prints the line to give the tests the unpacked
# syslog-ng: `export CRF_SYSLOG_NG=...`.
#
#   followers="$(scripts/followers.sh)" && eval "$followers"
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive

updated=
update() {
    if [ -z "$updated" ]; then
        apt-get update -qq >&2
        updated=1
    fi
}

if ! command -v rsyslogd >/dev/null; then
    update
    apt-get install -y -qq --no-install-recommends rsyslog >/dev/null
fi
rsyslogd -v >/dev/null

ng="$PWD/target/followers/syslog-ng"
if [ ! -x "$ng/run" ]; then
    update
    rm -rf "$ng"
    mkdir -p "$ng/debs"
    # The package and the libraries of its that a system with rsyslog may
    # lack; unpacked, never installed.
    (cd "$ng/debs" && apt-get download -qq \
        syslog-ng-core libivykis0 libnet1 libwrap0 libpcre3 libjson-c5 >&2)
    for deb in "$ng"/debs/*.deb; do
        dpkg -x "$deb" "$ng/root"
    done
    cat > "$ng/run" <<'RUN'
#!/bin/sh
# syslog-ng as unpacked beside it, its modules and libraries found there.
root="$(dirname "$0")/root"
version="$(ls "$root/usr/lib/syslog-ng" | grep -E '^[0-9]+\.[0-9]+$' | head -n 1)"
libs="$root/usr/lib/syslog-ng"
for dir in "$root"/usr/lib/*-linux-gnu* "$root"/lib/*-linux-gnu*; do
    [ -d "$dir" ] && libs="$libs:$dir"
done
LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$root/usr/sbin/syslog-ng" --module-path="$root/usr/lib/syslog-ng/$version" "$@"
RUN
    chmod +x "$ng/run"
fi
"$ng/run" --version >/dev/null
echo "export CRF_SYSLOG_NG='$ng/run'"
