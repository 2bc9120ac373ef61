//! Several Unix users sharing one log: two writer processes running as two
//! users with umask 077, in a directory of their shared group, with
//! `mode(0o660)` and that group (named, or given by a set-group-id
//! directory); a third user of the group (a log shipper) reads every file. Needs root (to run processes as other
//! users, with `setpriv`): CI runs as root; elsewhere the tests show as
//! ignored, saying why.

// Unix only: other uids and groups, mode bits.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Fleet, STRESS};
use crf_tools::verify::OWN_DIR;

/// The shared group, the writers' and the reader's users (numeric ids: no
/// account is needed), each user with a primary group of its own.
const SHARED: u32 = 64_100;
const WEB: u32 = 64_101;
const WORKER: u32 = 64_102;
const SHIPPER: u32 = 64_103;
const OUTSIDER: u32 = 64_104;

/// Fails the test, saying why, unless it can run processes as other
/// users: it runs as root and has `setpriv`.
fn require_other_users() {
    test_support::require_root("runs processes as other users");
    assert!(
        Command::new("setpriv").arg("--version").output().is_ok(),
        "this test needs setpriv (util-linux) to run processes as other users"
    );
}

/// A directory every user can reach, with the tools copied into it (the
/// build directory may be out of other users' reach).
struct Shared {
    _base: tempfile::TempDir,
    root: PathBuf,
}

impl Shared {
    fn new() -> Shared {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().to_path_buf();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(root.join("bin")).unwrap();
        for (tool, path) in [("crf-stress", STRESS), ("crf", env!("CARGO_BIN_EXE_crf"))] {
            // Copied by another process: a child this one forks meanwhile
            // (the tests run in parallel) would inherit a descriptor open
            // for writing on the copy, and running it would fail with
            // "Text file busy".
            let copied = Command::new("cp")
                .arg(path)
                .arg(root.join("bin").join(tool))
                .status()
                .expect("cp (coreutils) is needed");
            assert!(copied.success(), "cannot copy {path}");
        }
        Shared { _base: base, root }
    }

    fn tool(&self, name: &str) -> PathBuf {
        self.root.join("bin").join(name)
    }

    /// `logs/`, owned by root, its group `group`, `mode`.
    fn logs(&self, group: u32, mode: u32) -> PathBuf {
        let logs = self.root.join("logs");
        std::fs::create_dir(&logs).unwrap();
        std::os::unix::fs::chown(&logs, Some(0), Some(group)).unwrap();
        std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(mode)).unwrap();
        logs
    }
}

/// `program args...` as `uid` (primary group `uid`, also in `SHARED`),
/// with umask 077.
fn as_user(uid: u32, program: &Path) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid", &uid.to_string(), "--regid", &uid.to_string()])
        .args(["--groups", &SHARED.to_string(), "--"])
        .args(["sh", "-c", "umask 077 && exec \"$0\" \"$@\""])
        .arg(program);
    command
}

/// Every file and directory under `dir`, hidden ones included.
fn everything(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(everything(&path));
        }
        all.push(path);
    }
    all.sort();
    all
}

fn run(mut command: Command) -> Output {
    let out = command.stdout(Stdio::piped()).output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_setpriv)),
    ignore = "needs Linux, root and setpriv (runs processes as other users); .ci/run runs it as root"
)]
fn two_users_with_umask_077_share_one_log_that_a_third_user_of_their_group_reads() {
    // The group may write in the directory: nothing else is arranged; the
    // writers name the group.
    share_one_log(0o770, true);
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_setpriv)),
    ignore = "needs Linux, root and setpriv (runs processes as other users); .ci/run runs it as root"
)]
fn the_set_group_id_directory_recipe_gives_every_file_the_group_with_no_group_option() {
    // The several-users guide: `chmod 2770 logs`, `mode(0o660)`, no group.
    share_one_log(0o2770, false);
}

/// Two writers as two users with umask 077 share `logs/app.log` (mode
/// 0660, rotation, gzip) in a directory of `SHARED` with `dir_mode`, naming
/// the group if `name_group`; every file and directory made is then of
/// `SHARED`, files 0660 and directories `dir_mode` (the set-group-id bit
/// carried down), a third user of the group reads every file, and nothing
/// is lost.
fn share_one_log(dir_mode: u32, name_group: bool) {
    require_other_users();
    let shared = Shared::new();
    let logs = shared.logs(SHARED, dir_mode);
    let fleet = Fleet {
        log: logs.join("app.log"),
        processes: 2,
        lines: 6000,
        max_bytes: 32768,
        gzip: true,
        ..Fleet::new(&logs)
    };
    let writers: Vec<_> = [WEB, WORKER]
        .into_iter()
        .enumerate()
        .map(|(id, uid)| {
            let mut writer = as_user(uid, &shared.tool("crf-stress"));
            writer
                .arg("writer")
                .arg("--log")
                .arg(&fleet.log)
                .args(["--id", &id.to_string(), "--lines", "6000"])
                .args(["--line-size", "100", "--max-bytes", "32768"])
                .args(["--backups", "1000", "--gzip"])
                .args(["--file-mode", "660"])
                .args(if name_group {
                    vec!["--group".to_owned(), SHARED.to_string()]
                } else {
                    vec![]
                })
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            writer.spawn().unwrap()
        })
        .collect();
    for writer in writers {
        let out = writer.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let all = everything(&logs);
    let mut owners = std::collections::BTreeSet::new();
    for path in &all {
        let meta = std::fs::symlink_metadata(path).unwrap();
        let name = path.strip_prefix(&logs).unwrap().display().to_string();
        assert_eq!(meta.gid(), SHARED, "{name}");
        let expected = if meta.is_dir() { dir_mode } else { 0o660 };
        assert_eq!(meta.mode() & 0o7777, expected, "{name}: {:o}", meta.mode());
        assert!(
            !name.ends_with(".tmp") && !name.contains(".crf-new."),
            "{name}"
        );
        owners.insert(meta.uid());
    }
    let names: Vec<String> = all
        .iter()
        .map(|p| p.strip_prefix(&logs).unwrap().display().to_string())
        .collect();
    for must in [
        "app.log".to_owned(),
        "app.log.1.gz".to_owned(),
        format!("{OWN_DIR}/app.log.lock"),
        format!("{OWN_DIR}/app.log.state"),
        OWN_DIR.to_owned(),
    ] {
        assert!(names.contains(&must), "{must} missing: {names:?}");
    }
    // Both users made some of them: each rotation's new live file is its
    // rotator's.
    assert_eq!(owners.into_iter().collect::<Vec<_>>(), [WEB, WORKER]);
    // The shipper, of the group alone, reads every file whole.
    for path in all.iter().filter(|p| p.is_file()) {
        let mut cat = as_user(SHIPPER, Path::new("cat"));
        cat.arg(path);
        assert_eq!(run(cat).stdout, std::fs::read(path).unwrap(), "{path:?}");
    }
    // Nothing lost, duplicated or torn; every backup gzipped.
    let report = fleet.verify(vec![]);
    assert_eq!(report.gzipped, report.backups, "{report}");
    assert_eq!(report.found, 12_000);
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_setpriv)),
    ignore = "needs Linux, root and setpriv (runs processes as other users); .ci/run runs it as root"
)]
fn a_rotation_refused_for_permissions_names_the_path_and_the_operation() {
    require_other_users();
    let shared = Shared::new();
    // A directory others may not write in, a log anyone may append to.
    let logs = shared.logs(0, 0o755);
    let log = logs.join("app.log");
    drop(
        concurrent_rotating_file::RotatingFile::builder(&log)
            .mode(0o666)
            .dir_mode(0o777)
            .open()
            .unwrap(),
    );
    let mut crf = as_user(OUTSIDER, &shared.tool("crf"));
    crf.arg(&log)
        .args(["--max-bytes", "100"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = crf.spawn().unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        "a line of forty bytes, newline included\n"
            .repeat(4)
            .as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let (from, to) = (log.display(), logs.join("app.log.1").display().to_string());
    assert!(
        stderr.contains(&format!(
            "rotate `{from}`: rename `{from}` -> `{to}`: Permission denied"
        )),
        "{stderr}"
    );
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_setpriv)),
    ignore = "needs Linux, root and setpriv (runs processes as other users); .ci/run runs it as root"
)]
fn a_group_the_process_is_not_in_is_refused_at_open() {
    require_other_users();
    let shared = Shared::new();
    let logs = shared.logs(SHARED, 0o777);
    let mut crf = Command::new("setpriv");
    crf.args([
        "--reuid",
        &OUTSIDER.to_string(),
        "--regid",
        &OUTSIDER.to_string(),
    ])
    .args(["--clear-groups", "--"])
    .arg(shared.tool("crf"))
    .arg(logs.join("app.log"))
    .args(["--group", &SHARED.to_string()])
    .stdin(Stdio::null());
    let out = crf.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("group {SHARED}: this process is not a member")),
        "{stderr}"
    );
    assert!(!logs.join("app.log").exists());
}
