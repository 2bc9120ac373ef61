//! Writers using Python's `ConcurrentRotatingFileHandler` (`--python`,
//! `--only-python`): the script they run, shipped in the binary, and the
//! check that the interpreter has the handler.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::NamedTempFile;

use crate::args::RunArgs;

/// The Python writer, written out for the interpreter to run.
const SCRIPT: &str = include_str!("python_writer.py");

/// Checks that `python` runs and has Python's handler; the message says
/// how to install it.
pub(crate) fn check(python: &str) -> Result<(), String> {
    let missing = |why: String| {
        format!(
            "--python-bin {python}: Python's ConcurrentRotatingFileHandler is not available ({why}); install it with `{python} -m pip install concurrent-log-handler`, or name another interpreter with --python-bin or $CRF_PYTHON"
        )
    };
    let status = Command::new(python)
        .args(["-c", "import concurrent_log_handler"])
        .stderr(Stdio::null())
        .status()
        .map_err(|e| missing(format!("cannot run it: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(missing("the import fails".into()))
    }
}

/// Writes the script to a temporary file, removed when dropped.
pub(crate) fn script() -> std::io::Result<NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("crf-python-writer-")
        .suffix(".py")
        .tempfile()?;
    file.write_all(SCRIPT.as_bytes())?;
    Ok(file)
}

/// The command that starts Python writer `id`.
pub(crate) fn command(args: &RunArgs, script: &Path, log: &Path, id: u32) -> Command {
    let mut command = Command::new(&args.python_bin);
    command
        .arg(script)
        .arg(log)
        .arg(id.to_string())
        .arg(args.lines.to_string())
        .arg(args.line_size.to_string())
        .arg(args.max_bytes.to_string())
        .arg(args.backups.to_string())
        .arg(if args.gzip { "1" } else { "0" });
    command
}
