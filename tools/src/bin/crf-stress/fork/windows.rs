//! No fork on Windows: the flag is refused.

/// Never made: [`fork`] always fails.
pub(crate) type Pid = std::convert::Infallible;

pub(super) fn fork() -> std::io::Result<Option<Pid>> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "--fork-after-open needs fork(2), which Windows does not have",
    ))
}

pub(super) fn wait_for(pid: Pid) -> std::io::Result<()> {
    match pid {}
}
