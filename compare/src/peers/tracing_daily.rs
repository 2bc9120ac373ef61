//! tracing-appender, as its documentation shows: a `RollingFileAppender`
//! as the writer of tracing-subscriber's fmt layer, records as `tracing`
//! events. It rotates by time only (minutely to daily, or never): given
//! no size limit, it keeps writing one file whatever its size.

use std::io;

use tracing_appender::rolling::{RollingFileAppender, Rotation};

use super::{Setup, SetupError, Sink, message};

pub(super) const SETUP: &str =
    "`tracing` events, `RollingFileAppender`, `Rotation::DAILY` (no size limit exists)";

pub(super) fn open(args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("app")
        .filename_suffix("log")
        .max_log_files(args.backups)
        .build(&args.dir)?;
    // The message alone, as a line.
    let subscriber = tracing_subscriber::fmt()
        .with_writer(appender)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)?;
    Ok(Box::new(Events))
}

/// Records as `tracing` events; the appender writes each one as it comes.
struct Events;

impl Sink for Events {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        tracing::info!("{}", message(line)?);
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        Ok(())
    }
}
