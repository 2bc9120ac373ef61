//! Helpers the library's tests and the tools' tests share: a file or
//! directory that refuses changes whoever runs the test ([`Immutable`]),
//! a FIFO ([`mkfifo`]), and operations that must not hang ([`within`]).

#![deny(missing_docs)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Makes `path` refuse changes: `chattr +i` as root (whom modes do not
/// stop), `chmod a-w` otherwise. A directory then refuses new, removed and
/// renamed entries; a file refuses writes and being renamed. Undone on drop.
#[derive(Debug)]
pub struct Immutable(PathBuf);

impl Immutable {
    /// Makes `path` refuse changes until the value is dropped.
    pub fn new(path: &Path) -> Immutable {
        // SAFETY: geteuid cannot fail and touches no memory.
        if unsafe { libc::geteuid() } == 0 {
            let status = Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .expect("chattr is needed as root");
            assert!(status.success(), "chattr +i failed on {}", path.display());
        } else {
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o222)).unwrap();
        }
        Immutable(path.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        // SAFETY: as above.
        if unsafe { libc::geteuid() } == 0 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else if let Ok(meta) = std::fs::metadata(&self.0) {
            let mode = meta.permissions().mode() | 0o200;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(mode));
        }
    }
}

/// Makes a FIFO (named pipe) at `path`.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) is needed");
    assert!(status.success(), "mkfifo failed on {}", path.display());
}

/// Runs `f` on a thread of its own and returns what it returns, failing the
/// test if it takes longer than `seconds`: for operations that must never
/// hang (a hung one is left behind, blocked).
pub fn within<T: Send + 'static>(seconds: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(seconds))
        .unwrap_or_else(|_| panic!("still blocked after {seconds} s"))
}
