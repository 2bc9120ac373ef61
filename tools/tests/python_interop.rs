//! Rust and Python processes (Python's `ConcurrentRotatingFileHandler`,
//! PyPI `concurrent-log-handler`) writing one file at the same time: never
//! torn, an unbroken chain and rotated once for every record, never past
//! max_bytes for the records Rust writes.
//!
//! The interpreter is `$CRF_PYTHON` or `python3`; `.ci/run` installs the
//! package into a virtual environment. Without it these tests fail under CI
//! (`CI` set) and are skipped, loudly, elsewhere.

mod common;

use std::process::Command;

fn python() -> Option<String> {
    let python = std::env::var("CRF_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import concurrent_log_handler"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let message = format!(
        "Python's handler is not installed for `{python}`: `{python} -m pip install concurrent-log-handler`, or set CRF_PYTHON"
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("SKIPPED: {message}");
    None
}

/// Runs crf-stress with `args`; asserts every invariant held. The Rust
/// writers are paced so that they are still writing when the Python
/// interpreters, slower to start, begin.
fn stress(python: &str, args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--rate", "4000", "--json", "--python-bin", python]);
    all.extend(["--backups", "1000", "--dir", dir.path().to_str().unwrap()]);
    let out = common::stress(&all);
    let report = common::json(&out);
    assert!(
        out.status.success() && report["ok"] == true,
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

#[test]
fn rust_and_python_writers_share_one_file() {
    let Some(python) = python() else { return };
    let report = stress(
        &python,
        &[
            "-p",
            "3",
            "--python",
            "2",
            "-n",
            "4000",
            "--max-bytes",
            "32768",
        ],
    );
    assert_eq!(report["lines_found"], 20000, "{report}");
}

#[test]
fn rust_and_python_writers_share_one_file_with_gzip() {
    let Some(python) = python() else { return };
    let report = stress(
        &python,
        &[
            "-p",
            "2",
            "--python",
            "2",
            "-n",
            "4000",
            "--max-bytes",
            "32768",
            "--gzip",
        ],
    );
    assert_eq!(report["lines_found"], 16000, "{report}");
}

#[test]
fn rust_background_writers_and_python_writers_share_one_file() {
    let Some(python) = python() else { return };
    let report = stress(
        &python,
        &[
            "-p",
            "2",
            "--python",
            "2",
            "-n",
            "4000",
            "--max-bytes",
            "32768",
            "--mode",
            "non-blocking",
        ],
    );
    assert_eq!(report["lines_found"], 16000, "{report}");
}

#[test]
fn pythons_handler_alone_passes_the_same_verification() {
    let Some(python) = python() else { return };
    let report = stress(
        &python,
        &[
            "-p",
            "3",
            "--only-python",
            "-n",
            "3000",
            "--max-bytes",
            "32768",
        ],
    );
    assert_eq!(report["lines_found"], 9000, "{report}");
}
