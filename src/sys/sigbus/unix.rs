//! The handler, installed with `sigaction(2)`, which every Unix has: POSIX
//! says a reference to a mapped file's pages past its end raises SIGBUS,
//! and Linux, macOS and FreeBSD do so.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_int, c_void, siginfo_t};

use super::{REPAIRED, is_guarded};

/// The SIGBUS action before ours, to hand other faults to.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler once; whether it is in place.
pub(super) fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        // SAFETY: sysconf and sigaction with local, zeroed structs; the
        // handler is async-signal-safe (see `on_sigbus`). std has no
        // signal handling.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page <= 0 {
                return false;
            }
            PAGE.store(page as usize, Ordering::Release);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) != 0 {
                return false;
            }
            let _ = PREVIOUS.set(previous);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as extern "C" fn(c_int, *mut siginfo_t, *mut c_void)
                as libc::sighandler_t;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) == 0
        }
    })
}

/// Repairs a fault in a guarded range; hands any other to the previous
/// action. Async-signal-safe: atomics, `mmap(2)` and `sigaction(2)`
/// only, no allocation, no lock.
extern "C" fn on_sigbus(sig: c_int, info: *mut siginfo_t, context: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO
    // handler; si_addr is the faulting address for SIGBUS.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = PAGE.load(Ordering::Acquire);
    if page != 0 && is_guarded(addr) {
        let start = addr & !(page - 1);
        // SAFETY: replaces one page of a mapping this library owns (the
        // registry says so) with a private zero page, MAP_FIXED at its
        // own address: nothing else lives there.
        let mapped = unsafe {
            libc::mmap(
                start as *mut c_void,
                page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if mapped != libc::MAP_FAILED {
            REPAIRED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return;
        }
    }
    // SAFETY: the previous action as sigaction(2) returned it: a
    // handler of the signature its flags say, or SIG_DFL / SIG_IGN.
    unsafe { chain(sig, info, context) }
}

/// Hands a fault that is not ours to the previous action; for the
/// default one, restores it, so that the fault recurs on return and
/// does what it would have done.
unsafe fn chain(sig: c_int, info: *mut siginfo_t, context: *mut c_void) {
    let previous = PREVIOUS.get().copied();
    let handler = previous.map_or(libc::SIG_DFL, |p| p.sa_sigaction);
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // SAFETY: resets the action for `sig` with a zeroed struct.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
        return;
    }
    let flags = previous.map_or(0, |p| p.sa_flags);
    if flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO, the handler has this signature.
        let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) =
            unsafe { std::mem::transmute(handler) };
        f(sig, info, context);
    } else {
        // SAFETY: without SA_SIGINFO, the handler takes the signal only.
        let f: extern "C" fn(c_int) = unsafe { std::mem::transmute(handler) };
        f(sig);
    }
}
