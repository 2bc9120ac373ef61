//! `pthread_self()`, what CPython's `threading.get_ident()` returns on Unix.

pub(super) fn current() -> u64 {
    // SAFETY: pthread_self cannot fail and touches no memory; std has no
    // numeric thread id, let alone the one Python's gives.
    let id = unsafe { libc::pthread_self() };
    #[allow(clippy::unnecessary_cast)] // pthread_t is not u64 everywhere
    let id = id as u64;
    id
}
