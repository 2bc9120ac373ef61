//! log4rs, as its rolling file appender's documentation shows: a
//! `RollingFileAppender` with a `CompoundPolicy` of a `SizeTrigger` and a
//! `FixedWindowRoller`, set up in code; records through the `log` facade.

use std::io;

use log::LevelFilter;
use log4rs::append::rolling_file::RollingFileAppender;
use log4rs::append::rolling_file::policy::compound::CompoundPolicy;
use log4rs::append::rolling_file::policy::compound::roll::fixed_window::FixedWindowRoller;
use log4rs::append::rolling_file::policy::compound::trigger::size::SizeTrigger;
use log4rs::config::{Appender, Config, Root};
use log4rs::encode::pattern::PatternEncoder;

use super::{Setup, SetupError, Sink, message};

pub(super) const SETUP: &str =
    "`log` facade, `RollingFileAppender`, `SizeTrigger`, `FixedWindowRoller`";

pub(super) fn open(args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
    let pattern = args.dir.join("app.log.{}");
    let roller = FixedWindowRoller::builder()
        .build(&pattern.to_string_lossy(), u32::try_from(args.backups)?)?;
    let policy = CompoundPolicy::new(Box::new(SizeTrigger::new(args.max_bytes)), Box::new(roller));
    let appender = RollingFileAppender::builder()
        .encoder(Box::new(PatternEncoder::new("{m}{n}")))
        .build(args.dir.join("app.log"), Box::new(policy))?;
    let config = Config::builder()
        .appender(Appender::builder().build("file", Box::new(appender)))
        .build(Root::builder().appender("file").build(LevelFilter::Info))?;
    log4rs::init_config(config)?;
    Ok(Box::new(Facade))
}

/// Records through the `log` facade.
struct Facade;

impl Sink for Facade {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        log::info!("{}", message(line)?);
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        log::logger().flush();
        Ok(())
    }
}
