//! `pthread_atfork`: a handler run in the child of every `fork()`.

/// Registers `handler` to run in the child after each `fork()`.
pub(super) fn in_child_after_fork(handler: extern "C" fn()) {
    // SAFETY: `pthread_atfork` only registers function pointers; the child
    // handler is a plain `extern "C" fn` that performs one atomic add, which
    // is async-signal-safe as a handler running after fork must be. The
    // standard library has no fork hook, hence the direct call.
    let rc = unsafe { libc::pthread_atfork(None, None, Some(handler)) };
    // Without the handler, the generation never changes and a forked child
    // would share its parent's lock: say so rather than fail to open.
    if rc != 0 {
        crate::sys::stderr::print(format_args!(
            "pthread_atfork failed ({rc}); handles must not be used across fork()"
        ));
    }
}
