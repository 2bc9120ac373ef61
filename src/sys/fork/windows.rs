//! No `fork()`: a process starts afresh (`CreateProcess`), with handles of
//! its own, so there is nothing to detect.

pub(super) fn in_child_after_fork(_: extern "C" fn()) {}
