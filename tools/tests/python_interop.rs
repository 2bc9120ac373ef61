//! Rust and Python processes (Python's `ConcurrentRotatingFileHandler`,
//! PyPI `concurrent-log-handler`) writing one file at the same time: never
//! torn, an unbroken chain and rotated once for every record, never past
//! max_bytes for the records Rust writes.
//!
//! The interpreter is `$CRF_PYTHON` or `python3`; `.ci/run` installs the
//! package into a virtual environment. Without it these tests show as ignored,
//! saying why (see the tools' `build.rs`); under `CI=true` they run, and
//! fail saying what is missing.

mod common;

use std::process::Command;

/// The interpreter with Python's handler; fails the test, saying how to
/// install it, if it has not.
fn python() -> String {
    let python = std::env::var("CRF_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import concurrent_log_handler"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "Python's handler is not installed for `{python}`: `{python} -m pip install concurrent-log-handler`, or set CRF_PYTHON"
    );
    python
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
#[cfg_attr(
    not(crf_has_python_handler),
    ignore = "needs Python's concurrent-log-handler for $CRF_PYTHON or python3; .ci/run installs it"
)]
fn rust_and_python_writers_share_one_file() {
    let python = python();
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
#[cfg_attr(
    not(crf_has_python_handler),
    ignore = "needs Python's concurrent-log-handler for $CRF_PYTHON or python3; .ci/run installs it"
)]
fn rust_and_python_writers_share_one_file_with_gzip() {
    let python = python();
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
#[cfg_attr(
    not(crf_has_python_handler),
    ignore = "needs Python's concurrent-log-handler for $CRF_PYTHON or python3; .ci/run installs it"
)]
fn rust_background_writers_and_python_writers_share_one_file() {
    let python = python();
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
#[cfg_attr(
    not(crf_has_python_handler),
    ignore = "needs Python's concurrent-log-handler for $CRF_PYTHON or python3; .ci/run installs it"
)]
fn pythons_handler_alone_passes_the_same_verification() {
    let python = python();
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
