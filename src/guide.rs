//! The guides: the long form of the README, one chapter a module, so that
//! they are read beside the API and every example in them is compiled and
//! run as a test. The same chapters are the Markdown files under `docs/`
//! in the repository.
//!
//! - [`guarantees`]: what the library promises, in full
//! - [`faults`]: what happens under each fault, each case tested
//! - [`writing`]: `io::Write`, `tracing`, `log`, `non_blocking`, rotating on demand
//! - [`routing`]: one file per name
//! - [`options`]: every option and Cargo feature
//! - [`time_and_retention`]: rotating by time; keeping backups by count, age and size
//! - [`gzip`]: gzipped backups, off the lock
//! - [`shutdown`]: what an exit waits for, and how long
//! - [`shipping`]: followers (rsyslog, Alloy, Vector, ...) and restart-proof files
//! - [`python`]: sharing a file with Python's `ConcurrentRotatingFileHandler`
//! - [`several_users`]: processes of several Unix users sharing a log
//! - [`tools`]: `crf-stress` and `crf`
//! - [`performance`]: the measurements, with the commands that make them
//! - [`how_it_works`]: a record's way through the modules
//! - [`platforms`]: where it runs

// Each chapter's links name the other chapters' files (`faults.md`), as
// the repository's pages need; the definitions put first here win
// (CommonMark keeps the first of two), so that rustdoc links the modules.
macro_rules! chapter {
    ($(#[$meta:meta])* $name:ident, $file:literal) => {
        #[doc = include_str!("guide_links.md")]
        #[doc = include_str!(concat!("../docs/", $file))]
        $(#[$meta])*
        pub mod $name {}
    };
}

chapter!(guarantees, "guarantees.md");
chapter!(faults, "faults.md");
chapter!(writing, "writing.md");
chapter!(routing, "routing.md");
chapter!(options, "options.md");
chapter!(time_and_retention, "time-and-retention.md");
chapter!(gzip, "gzip.md");
chapter!(shutdown, "shutdown.md");
chapter!(shipping, "shipping.md");
chapter!(python, "python.md");
chapter!(several_users, "several-users.md");
chapter!(tools, "tools.md");
chapter!(performance, "performance.md");
chapter!(how_it_works, "how-it-works.md");
chapter!(platforms, "platforms.md");
