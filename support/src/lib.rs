//! Helpers the library's tests and the tools' tests share: a file or
//! directory that refuses changes whoever runs the test ([`Immutable`]),
//! a FIFO ([`mkfifo`]), operations that must not hang ([`within`]), the
//! sorted names in a directory ([`names`]), what a test executable
//! re-invoked as a child process is to do ([`ChildSpec`]), and a
//! small file system to fill ([`SmallFs`], as root: [`require_root`]).

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Makes `path` refuse changes: the immutable flag as root (whom modes do
/// not stop: `chattr +i` on Linux, `chflags uchg` on macOS and the BSDs),
/// `chmod a-w` otherwise. A directory then refuses new, removed and
/// renamed entries; a file refuses writes and being renamed. Undone on
/// drop.
#[derive(Debug)]
pub struct Immutable(PathBuf);

/// The command and arguments that set and clear the immutable flag.
#[cfg(target_os = "linux")]
const IMMUTABLE: (&str, &str, &str) = ("chattr", "+i", "-i");
#[cfg(not(target_os = "linux"))]
const IMMUTABLE: (&str, &str, &str) = ("chflags", "uchg", "nouchg");

impl Immutable {
    /// Makes `path` refuse changes until the value is dropped.
    pub fn new(path: &Path) -> Immutable {
        if is_root() {
            let (command, set, _) = IMMUTABLE;
            let status = Command::new(command)
                .arg(set)
                .arg(path)
                .status()
                .unwrap_or_else(|e| panic!("{command} is needed as root: {e}"));
            assert!(
                status.success(),
                "{command} {set} failed on {}",
                path.display()
            );
        } else {
            set_writable(path, false).unwrap();
        }
        Immutable(path.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        if is_root() {
            let (command, _, clear) = IMMUTABLE;
            let _ = Command::new(command).arg(clear).arg(&self.0).status();
        } else {
            let _ = set_writable(&self.0, true);
        }
    }
}

/// Whether this process runs as root (never on Windows, whose
/// administrators modes do stop).
pub fn is_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid cannot fail and touches no memory.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(windows)]
    false
}

/// Gives `path` its owner's write permission back, or takes everyone's
/// away (`chmod a-w`; on Windows the read-only attribute, which stops
/// writes to a file but not changes in a directory).
fn set_writable(path: &Path, writable: bool) -> std::io::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = permissions.mode();
        permissions.set_mode(match writable {
            true => mode | 0o200,
            false => mode & !0o222,
        });
    }
    #[cfg(windows)]
    permissions.set_readonly(!writable);
    std::fs::set_permissions(path, permissions)
}

/// What a test executable re-invoked as a child process (a writer, a
/// router) is to do: `key=value` words in one environment variable, which
/// only the test that starts the child sets.
#[derive(Debug)]
pub struct ChildSpec(String);

impl ChildSpec {
    /// The spec in the variable `var`; `None` in the test run itself.
    pub fn from_env(var: &str) -> Option<ChildSpec> {
        std::env::var(var).ok().map(ChildSpec)
    }

    /// The value of `key`; fails the child if it is missing.
    pub fn get(&self, key: &str) -> String {
        self.0
            .split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing from {}", self.0))
            .to_owned()
    }
}

/// Starts `command`'s program with SIGTERM and SIGINT at their default
/// disposition, as a service manager or a terminal starts a service,
/// whatever this test inherited: a shell starting a job in the background
/// without job control (`cmd &` in a script, as CI may run the suite)
/// makes SIGINT ignored, which the child would inherit and, as its
/// documentation says, keep ignoring.
#[cfg(unix)]
pub fn stop_signals_at_default(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only signal(2), async-signal-safe, between fork and exec;
    // std has no way to set a child's signal disposition.
    unsafe {
        command.pre_exec(|| {
            for signal in [libc::SIGTERM, libc::SIGINT] {
                if libc::signal(signal, libc::SIG_DFL) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        })
    }
}

/// Waits for the forked child `pid` for at most 10 s; kills it and fails
/// the test past that, or if it did not exit with status 0.
#[cfg(unix)]
pub fn wait_or_fail(pid: libc::pid_t, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut status = 0;
        // SAFETY: waiting for our own child with a valid out-pointer.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            assert!(
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                "{what} failed: status {status}"
            );
            return;
        }
        if std::time::Instant::now() > deadline {
            // SAFETY: kill and reap our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("{what} deadlocked after fork()");
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
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

/// The names in `dir`, hidden ones included, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
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

/// Holds the lock of a log as another process of the library would, from
/// an open file description of its own: present (a shared byte-range lock
/// on the first byte, which the library looks for before it takes the
/// lock alone) and holding the exclusive `flock`. Let go on drop.
#[derive(Debug)]
pub struct HeldLock(std::fs::File);

impl HeldLock {
    /// Holds the lock file at `path`, waiting for it if needed.
    pub fn of(path: &Path) -> HeldLock {
        let file = std::fs::File::open(path).expect("the lock file exists");
        present(&file);
        file.lock().unwrap();
        HeldLock(file)
    }

    /// Lets the lock go, staying present.
    pub fn unlock(&self) -> std::io::Result<()> {
        unlock(&self.0)
    }
}

/// `file.unlock()` for `file`, locked with `File::lock`. On Windows,
/// std releases the range twice (the second time for a shared lock it may
/// also hold), which Windows answers with `ERROR_NOT_LOCKED`, which std
/// expects, and wine with `ERROR_LOCK_VIOLATION`, which std reports
/// though the lock is gone: the range is released once here, as the
/// library's own lock does.
pub fn unlock(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawHandle;
        // SAFETY: a handle `file` keeps open; the range std's `lock`
        // takes (from 0, of length u64::MAX). std has no single release.
        let ok = unsafe {
            windows_sys::Win32::Storage::FileSystem::UnlockFile(
                file.as_raw_handle(),
                0,
                0,
                u32::MAX,
                u32::MAX,
            )
        };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(windows))]
    file.unlock()
}

/// Says `file` is present as the library's presence check sees it: a
/// shared open file description lock on its first byte, on Linux. Other
/// systems have no such mark (the library never finds itself alone
/// there, see `docs/platforms.md`), and a record lock on a lock file
/// would stand in the way of its `flock` there: nothing is done.
pub fn present(file: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock is a plain C struct; all zeros is valid.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = libc::F_RDLCK as libc::c_short;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_len = 1;
        // SAFETY: F_OFD_SETLK on an open descriptor with a valid struct.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
        assert_eq!(rc, 0, "cannot take a byte-range lock");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Fails the test unless it runs as root, saying what for. A test that
/// calls it carries `#[cfg_attr(not(crf_has_root), ignore = "...")]` (see
/// the tools' `build.rs`), so that where root is missing it shows as
/// ignored, with the reason, rather than failing or passing unrun.
pub fn require_root(what: &str) {
    assert!(
        is_root(),
        "this test needs root ({what}); run it as root, as .ci/run does"
    );
}

/// A real file system of 256 KiB (a tmpfs, with Linux's `size` option)
/// mounted at a new directory, as root; unmounted on drop.
#[derive(Debug)]
pub struct SmallFs(PathBuf);

impl SmallFs {
    /// Creates the directory `at` and mounts the file system on it.
    pub fn mount(at: &Path) -> SmallFs {
        std::fs::create_dir(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
            .arg(at)
            .status()
            .expect("mount is needed as root");
        assert!(status.success(), "cannot mount a tmpfs as root");
        SmallFs(at.to_path_buf())
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes the file `name` in it until the file system is full.
    pub fn fill(&self, name: &str) {
        use std::io::Write;
        let mut ballast = std::fs::File::create(self.0.join(name)).unwrap();
        let chunk = vec![b'b'; 4096];
        loop {
            match ballast.write_all(&chunk) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => return,
                Err(e) => panic!("filling the file system: {e}"),
            }
        }
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}
