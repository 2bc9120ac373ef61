//! What POSIX says `O_NOFOLLOW` fails with.

pub(super) const SYMLINK_REFUSED: i32 = libc::ELOOP;
