//! A router's background writer started before any file is open, then
//! `fork()` (guarantee: fork-safe): a server's master process configures
//! its logging (a Python service under gunicorn `--preload`) and forks its
//! workers before logging anything. The child must see that it is a child:
//! its records go straight to the files, and dropping the inherited guard
//! must not wait for a thread that exists in the parent only.
//!
//! Alone in its test binary: it forks the test process itself, and no
//! other test may open a file (which would hide the fault) before it.

// Unix only: fork(2): Windows has none.
#![cfg(unix)]

use concurrent_rotating_file::{RotatingFile, Router};

#[test]
fn a_routers_background_writer_started_before_any_file_opened_is_fork_safe() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_path_buf();
    let router =
        Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
    let (writer, guard) = router.non_blocking();
    // SAFETY: the child only writes through the library, drops the guard
    // and leaves with `_exit`, running no destructor of the test harness.
    match unsafe { libc::fork() } {
        -1 => panic!("fork failed: {}", std::io::Error::last_os_error()),
        0 => {
            let written = writer.write_record("web", b"from the child\n").is_ok();
            drop(guard);
            let found = std::fs::read_to_string(dir.path().join("web.log"))
                .is_ok_and(|text| text == "from the child\n");
            // SAFETY: ends the child at once, as a forked child must.
            unsafe { libc::_exit(if written && found { 0 } else { 1 }) }
        }
        child => test_support::wait_or_fail(child, "the child's write and guard"),
    }
    writer.write_record("web", b"from the parent\n").unwrap();
    drop(guard);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.log")).unwrap(),
        "from the child\nfrom the parent\n"
    );
}
