#!/usr/bin/env bash
# Runs Windows builds of the workspace under wine: installs wine and the
# mingw-w64 toolchain from Debian's packages (as root) where missing, the
# Rust standard library for x86_64-pc-windows-gnu, and a wine prefix under
# target/wine/ whose system32 holds a bcryptprimitives.dll exporting
# ProcessPrng (scripts/wine/process_prng.c: wine 8.0 lacks it, and Rust's
# standard library needs it to start). Prints the lines that make cargo
# run the Windows test binaries under wine:
#
#   windows="$(scripts/wine.sh)" && eval "$windows"
#   cargo test --target x86_64-pc-windows-gnu ...
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
target=x86_64-pc-windows-gnu

if ! command -v wine >/dev/null || [ ! -x /usr/lib/wine/wine64 ] \
    || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends wine wine64 gcc-mingw-w64-x86-64 >&2
fi
if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target" >&2
fi

prefix="$PWD/target/wine/prefix"
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
system32="$prefix/drive_c/windows/system32"
if [ ! -f "$system32/bcryptprimitives.dll" ]; then
    mkdir -p "$prefix"
    # A 64-bit prefix; no window, no Mono or Gecko installer (the overrides).
    WINEARCH=win64 wineboot --init >/dev/null 2>&1
    wineserver --wait
    x86_64-w64-mingw32-gcc -shared -O2 -o "$PWD/target/wine/bcryptprimitives.dll" \
        scripts/wine/process_prng.c -ladvapi32
    cp "$PWD/target/wine/bcryptprimitives.dll" "$system32/bcryptprimitives.dll"
fi
echo "export WINEPREFIX='$prefix' WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='"
echo "export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine"
