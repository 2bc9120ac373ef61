//! Surviving a state file that someone else shrinks.
//!
//! The shared state lives in a mapped file. If another party truncates it
//! (`: > file`, a careless cleanup) while a process has it mapped, the
//! next access past the new end raises SIGBUS, which kills the process.
//! Checking the size before each access would cost a syscall per record
//! and still race with the truncation. Instead, the first mapping installs
//! a SIGBUS handler that knows the ranges this library mapped: a fault
//! inside one of them is repaired by mapping a private zero page over the
//! faulting page, so the access completes (reading zeros), and a counter
//! tells the writer, at the end of its record, that its state was lost and
//! must be reopened and validated afresh (the zeros fail validation, so it
//! starts over: every process then reopens its files by path). A fault
//! anywhere else is handed to the handler that was there before (std's
//! stack-overflow handler, or the default action), exactly as if this one
//! did not exist.
//!
//! A program that installs its own SIGBUS handler afterwards replaces this
//! one; a truncated state file then kills it, as any truncated mapping
//! does.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// How many mapped ranges can be guarded at once (one per open log).
const SLOTS: usize = 4096;

static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static LENS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
/// Faults repaired since the process started.
static REPAIRED: AtomicU64 = AtomicU64::new(0);

/// Faults repaired so far in this process: when it changes, a mapping's
/// contents were lost.
pub(crate) fn repairs() -> u64 {
    REPAIRED.load(Ordering::SeqCst)
}

/// A mapped range the handler repairs; unregistered on drop, which must
/// come before the range is unmapped.
#[derive(Debug)]
pub(crate) struct Guarded {
    slot: Option<usize>,
}

/// Guards `len` bytes at `start` (a mapping this library made). Without a
/// free slot (or off Linux) the range is simply not guarded.
pub(crate) fn guard(start: *const u8, len: usize) -> Guarded {
    if !imp::install() {
        return Guarded { slot: None };
    }
    let start = start as usize;
    for (slot, entry) in STARTS.iter().enumerate() {
        if entry
            .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            LENS[slot].store(len, Ordering::Release);
            entry.store(start, Ordering::Release);
            return Guarded { slot: Some(slot) };
        }
    }
    Guarded { slot: None }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            LENS[slot].store(0, Ordering::Release);
            STARTS[slot].store(0, Ordering::Release);
        }
    }
}

/// Whether `addr` lies in a guarded range.
fn is_guarded(addr: usize) -> bool {
    STARTS.iter().zip(&LENS).any(|(start, len)| {
        let start = start.load(Ordering::Acquire);
        start != 0
            && start != usize::MAX
            && addr >= start
            && addr - start < len.load(Ordering::Acquire)
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod imp {
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
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod imp {
    /// No handler off Linux: ranges are not guarded.
    pub(super) fn install() -> bool {
        false
    }
}
