//! No priority of one thread's own: nothing is changed.

pub(super) fn lowest_for_this_thread() {}
