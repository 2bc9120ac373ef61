//! A progress bar per phase of a run, on standard error, with the time
//! left; hidden with `--json` or when standard error is not a terminal.
//! A bar dropped unfinished (a phase ended by Ctrl-C) is cleared, so that
//! no figure of an unfinished phase stays on the screen.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

/// The bar of a phase measured in bytes: writing, then verifying (whose
/// message, if any, follows the rate: `, 3/11 files`).
pub(crate) fn bytes(phase: &str, total: u64, hidden: bool) -> ProgressBar {
    let bar = if hidden {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total).with_finish(ProgressFinish::AndClear)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>9} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}{msg}, {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(phase.to_owned());
    bar
}

/// The spinner of a phase of unknown length (the next writer's repair).
pub(crate) fn spinner(phase: &str, what: &str, hidden: bool) -> ProgressBar {
    let bar = if hidden {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner().with_finish(ProgressFinish::AndClear)
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} {spinner} {msg}").expect("a valid template"),
    );
    bar.set_prefix(phase.to_owned());
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
