//! Which of the tests' prerequisites this machine has, as `cfg`s for the
//! tests' `#[cfg_attr(not(...), ignore = "...")]`: a test whose
//! prerequisite is missing shows as ignored, with the reason, instead of
//! passing without having run. Under `CI=true` every prerequisite is taken
//! as present, so that a missing one fails its tests loudly.
//!
//! | cfg | what the tests need |
//! | --- | --- |
//! | `crf_has_root` | to run as root (mounting a tmpfs) |
//! | `crf_has_unshare` | root and `unshare` (util-linux): new pid namespaces |
//! | `crf_has_setpriv` | root and `setpriv` (util-linux): processes as other users |
//! | `crf_has_python_handler` | Python's `concurrent_log_handler` for `$CRF_PYTHON` or `python3` |
//! | `crf_has_rsyslogd` | `rsyslogd` on the `PATH`, `/usr/sbin` or `/sbin` |
//! | `crf_has_syslog_ng` | `$CRF_SYSLOG_NG` (`scripts/followers.sh` unpacks it), or `syslog-ng` there |
//!
//! Installing one later is noticed: the script runs again when the
//! directories it looked in change (or `PATH`, `CRF_PYTHON`, `CI`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ALL: [&str; 6] = [
    "crf_has_root",
    "crf_has_unshare",
    "crf_has_setpriv",
    "crf_has_python_handler",
    "crf_has_rsyslogd",
    "crf_has_syslog_ng",
];

fn main() {
    for cfg in ALL {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    println!("cargo::rerun-if-changed=build.rs");
    for var in ["CI", "PATH", "CRF_PYTHON", "CRF_SYSLOG_NG"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        for cfg in ALL {
            println!("cargo::rustc-cfg={cfg}");
        }
        return;
    }
    let dirs = search_dirs();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let root = is_root();
    let found = |program: &str| dirs.iter().any(|d| d.join(program).is_file());
    let has = [
        ("crf_has_root", root),
        ("crf_has_unshare", root && found("unshare")),
        ("crf_has_setpriv", root && found("setpriv")),
        ("crf_has_python_handler", python_handler()),
        ("crf_has_rsyslogd", found("rsyslogd")),
        ("crf_has_syslog_ng", syslog_ng(found("syslog-ng"))),
    ];
    for (cfg, present) in has {
        if present {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

/// The `PATH`, then the system directories `.ci/run` adds to it.
fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    for system in ["/usr/sbin", "/sbin"] {
        if !dirs.iter().any(|d| d == Path::new(system)) {
            dirs.push(system.into());
        }
    }
    dirs
}

/// Whether the tests find syslog-ng: `$CRF_SYSLOG_NG` if set (watched, so
/// that unpacking it later is noticed), else `on_path`.
fn syslog_ng(on_path: bool) -> bool {
    match std::env::var_os("CRF_SYSLOG_NG") {
        Some(program) => {
            println!("cargo::rerun-if-changed={}", Path::new(&program).display());
            Path::new(&program).is_file()
        }
        None => on_path,
    }
}

/// Whether the build (and so, as a rule, the tests) runs as root.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

/// Whether the interpreter the tests use imports Python's handler; the
/// directory it would be installed in is watched, so that a later
/// `pip install` is noticed.
fn python_handler() -> bool {
    let python = std::env::var("CRF_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import sysconfig; print(sysconfig.get_paths()['purelib'])\n\
                  import concurrent_log_handler";
    let Ok(out) = Command::new(&python)
        .args(["-c", script])
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    if let Ok(text) = std::str::from_utf8(&out.stdout) {
        let site = Path::new(text.trim());
        if site.is_dir() {
            println!("cargo::rerun-if-changed={}", site.display());
        }
    }
    out.status.success()
}
