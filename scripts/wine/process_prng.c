/*
 * ProcessPrng, which Rust's standard library imports from
 * bcryptprimitives.dll on Windows (since Rust 1.78) for its random seeds.
 * Wine 8.0's bcryptprimitives.dll lacks it, and no Rust program starts
 * under it without: this one forwards to RtlGenRandom (advapi32's
 * SystemFunction036), in chunks of at most 1 GiB, the most it takes at
 * once. Built into the wine prefix by scripts/wine.sh; Windows itself has
 * its own.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
