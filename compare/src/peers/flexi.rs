//! flexi_logger, as its code examples' "Rotate the log file" shows:
//! `Criterion::Size`, `Naming::Numbers`, `Cleanup::KeepLogFiles`, and
//! `append()` so that a process joins the file the others write instead
//! of truncating it; records through the `log` facade.

use std::io;

use flexi_logger::{Cleanup, Criterion, DeferredNow, FileSpec, Logger, LoggerHandle, Naming};

use super::{Age, Setup, SetupError, Sink, message};

pub(super) const SETUP: &str = "`log` facade, `Criterion::Size`, `Naming::Numbers`, `append()`";

pub(super) fn open(args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
    let handle = Logger::try_with_str("info")?
        .log_to_file(FileSpec::default().directory(&args.dir).basename("app"))
        .append()
        .rotate(
            Criterion::Size(args.max_bytes),
            Naming::Numbers,
            Cleanup::KeepLogFiles(args.backups),
        )
        .format(message_only)
        .start()?;
    Ok(Box::new(Facade(handle)))
}

/// The record's message alone: flexi_logger adds the newline.
fn message_only(
    out: &mut dyn io::Write,
    _now: &mut DeferredNow,
    record: &log::Record,
) -> io::Result<()> {
    write!(out, "{}", record.args())
}

/// `app_rCURRENT.log` the live file; `app_r00000.log`, ... the rotated
/// ones, oldest first by name.
pub(super) fn age(name: &str) -> Age {
    if name.contains("_rCURRENT") {
        Age::Live
    } else {
        Age::ByName
    }
}

/// Records through the `log` facade; the handle flushes and stops the
/// logger when dropped.
struct Facade(LoggerHandle);

impl Sink for Facade {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        log::info!("{}", message(line)?);
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        self.0.flush();
        Ok(())
    }
}
