//! `write(2)` on descriptor 2, which takes no lock.

pub(super) fn write_all(mut rest: &[u8]) {
    while !rest.is_empty() {
        // SAFETY: writes `rest.len()` bytes from a live buffer to fd 2; a
        // closed or invalid descriptor only makes write(2) fail. std has no
        // lock-free stderr.
        let n = unsafe { libc::write(2, rest.as_ptr().cast(), rest.len()) };
        match n {
            n if n > 0 => rest = &rest[n as usize..],
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => return,
        }
    }
}
