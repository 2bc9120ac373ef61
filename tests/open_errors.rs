//! Every way `open()` can refuse, each with a typed error naming the path and
//! the problem (guarantee: errors name the path), and symlinks never
//! followed (guarantee: no symlink followed).

mod common;

#[cfg(unix)]
use std::os::unix::fs::symlink;

use common::Immutable;

use concurrent_rotating_file::{Compression, ErrorKind, RotatingFile};

fn open_err(builder: concurrent_rotating_file::Builder) -> concurrent_rotating_file::Error {
    builder.open().expect_err("open should have failed")
}

#[test]
fn backups_zero_with_rotation_on_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")).backups(0));
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(err.to_string().contains("backups(0)"), "{err}");
    assert!(
        !dir.path().join("app.log").exists(),
        "nothing is created for a refused configuration"
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: groups (Windows refuses the option itself: sys::create's mode_dir_mode_and_group_are_refused_at_open_naming_the_option)"
)]
fn a_group_that_does_not_exist_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs/app.log");
    let err = open_err(RotatingFile::builder(&path).group("no-such-group-for-crf"));
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(
        err.to_string().contains("group `no-such-group-for-crf`"),
        "{err}"
    );
    assert!(!dir.path().join("logs").exists(), "nothing is created");
}

#[test]
fn backups_zero_is_fine_when_rotation_is_off() {
    let dir = tempfile::tempdir().unwrap();
    RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(0)
        .backups(0)
        .open()
        .unwrap();
}

#[test]
fn a_mode_beyond_0o777_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")).mode(0o4755));
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(err.to_string().contains("0o4755"), "{err}");
}

#[test]
fn a_compression_level_beyond_9_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(
        RotatingFile::builder(dir.path().join("app.log"))
            .compression(Compression::Gzip)
            .compression_level(10),
    );
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(err.to_string().contains("level 10"), "{err}");
}

#[test]
fn a_directory_at_the_log_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(RotatingFile::builder(dir.path()));
    assert_eq!(err.kind(), ErrorKind::NotAFile);
    assert_eq!(err.path(), dir.path());
    assert!(err.to_string().contains("is a directory"), "{err}");
}

#[test]
fn a_path_without_a_file_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(RotatingFile::builder(format!(
        "{}/logs/",
        dir.path().display()
    )));
    assert_eq!(err.kind(), ErrorKind::NotAFile);
}

#[test]
fn missing_parent_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a/b/logs/app.log");
    RotatingFile::builder(&log).open().unwrap();
    assert!(log.is_file());
    let logs = dir.path().join("a/b/logs");
    assert!(common::own_file(&logs, "app.log.lock").is_file());
    assert!(common::own_file(&logs, "app.log.state").is_file());
}

#[test]
fn a_parent_that_cannot_be_created_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logs"), "a file in the way").unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("logs/app.log")));
    assert_eq!(err.kind(), ErrorKind::CreateDirectory);
    assert_eq!(err.path(), dir.path().join("logs"));
}

#[test]
fn a_missing_parent_with_create_dirs_off_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("logs/app.log")).create_dirs(false));
    assert_eq!(err.kind(), ErrorKind::CreateDirectory);
    assert!(err.to_string().contains("create_dirs(false)"), "{err}");
}

#[test]
fn an_unusable_lock_file_is_named() {
    // The library's own lock, and Python's when it is there.
    for lock in [".concurrent-rotating-file/app.log.lock", ".__app.lock"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(lock)).unwrap();
        let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
        assert_eq!(err.kind(), ErrorKind::LockFile);
        assert_eq!(err.path(), dir.path().join(lock));
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: a directory made read-only by its mode bits, which Windows does not have"
)]
fn permission_denied_names_the_file_that_could_not_be_created() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let _ro = Immutable::new(&logs);
    let err = open_err(RotatingFile::builder(logs.join("app.log")));
    // The first thing the library creates: its own directory.
    assert_eq!(err.kind(), ErrorKind::CreateDirectory);
    assert_eq!(err.path(), logs.join(".concurrent-rotating-file"));
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::PermissionDenied
    );
    // Created beforehand but read-only itself: the lock file is named.
    drop(_ro);
    let own = logs.join(".concurrent-rotating-file");
    std::fs::create_dir(&own).unwrap();
    let _ro = Immutable::new(&own);
    let err = open_err(RotatingFile::builder(logs.join("app.log")));
    assert_eq!(err.kind(), ErrorKind::LockFile);
    assert_eq!(err.path(), own.join("app.log.lock"));
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_log_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    symlink(&target, dir.path().join("app.log")).unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
    assert_eq!(err.kind(), ErrorKind::Symlink);
    assert!(!target.exists(), "the link was followed");
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_lock_path_is_never_followed() {
    for lock in [".concurrent-rotating-file/app.log.lock", ".__app.lock"] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        std::fs::create_dir(dir.path().join(".concurrent-rotating-file")).unwrap();
        symlink(&target, dir.path().join(lock)).unwrap();
        let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
        assert_eq!(err.kind(), ErrorKind::Symlink, "{lock}");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_state_path_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("victim");
    let state = common::own_file(dir.path(), "app.log.state");
    std::fs::create_dir(state.parent().unwrap()).unwrap();
    symlink(&target, &state).unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
    assert_eq!(err.kind(), ErrorKind::Symlink);
    assert!(!target.exists(), "the link was followed");
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_librarys_hidden_directory_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let own = dir.path().join(".concurrent-rotating-file");
    symlink(&elsewhere, &own).unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
    assert_eq!(err.kind(), ErrorKind::Symlink);
    assert_eq!(err.path(), own);
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // A file in its place: refused too, never replaced.
    std::fs::remove_file(&own).unwrap();
    std::fs::write(&own, "someone's").unwrap();
    let err = open_err(RotatingFile::builder(dir.path().join("app.log")));
    assert_eq!(err.kind(), ErrorKind::CreateDirectory);
    assert_eq!(std::fs::read_to_string(&own).unwrap(), "someone's");
}
