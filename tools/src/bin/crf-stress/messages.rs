//! What a writer process tells the run, one line each on its standard
//! output: `progress <thread> <lines written>` every 256 lines of a thread
//! or every MiB, whichever comes first; `written <lines written>` once every
//! record is in the files (before it waits for its compressions, if any);
//! `rotations <n>`, the rotations it did itself (counted in the process, so
//! that a fault that starts the shared state afresh loses none); at the end
//! its latencies (see [`Latencies`]) and `done <lines written>`. Python's
//! writer speaks the same lines, but for `written` and `rotations`.

use crate::latency::Latencies;

/// How many lines of `line_size` bytes a thread writes between two
/// progress lines: 256, or fewer if that is more than a MiB, so that the
/// run's progress (and when its kills land) moves in small steps.
pub(crate) fn progress_every(line_size: usize) -> u64 {
    ((1 << 20) / line_size.max(1)).clamp(1, 256) as u64
}

/// One line from a writer process.
#[derive(Debug)]
pub(crate) enum Message {
    /// Thread `.0` has written `.1` lines.
    Progress(u32, u64),
    /// Every record of the process is in the files.
    Written,
    /// The rotations the process did itself.
    Rotations(u64),
    /// The process's write latencies.
    Latencies(Latencies),
    /// The process wrote this many lines in all and is done.
    Done(u64),
}

/// Writer side: tells the run that `thread` has written `lines` lines, if
/// `lines` is a multiple of `every` (see [`progress_every`]).
pub(crate) fn progress(thread: u32, lines: u64, every: u64) {
    if lines.is_multiple_of(every) {
        println!("progress {thread} {lines}");
    }
}

/// Writer side: tells the run that every one of its `lines` is in the files
/// (what is left is waiting for compressions and exiting).
pub(crate) fn written(lines: u64) {
    println!("written {lines}");
}

/// Writer side: tells the run how many rotations it did itself, once every
/// one of its records is in the files.
pub(crate) fn rotations(rotations: u64) {
    println!("rotations {rotations}");
}

/// Writer side: tells the run this process's latencies and that it is done.
pub(crate) fn done(lines: u64, latencies: &Latencies) {
    println!("{}", latencies.to_line());
    println!("done {lines}");
}

/// Run side: reads one line; `None` for anything else.
pub(crate) fn parse(line: &str) -> Option<Message> {
    let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
    match kind {
        "progress" => {
            let (thread, lines) = rest.split_once(' ')?;
            Some(Message::Progress(thread.parse().ok()?, lines.parse().ok()?))
        }
        "written" => Some(Message::Written),
        "rotations" => rest.trim().parse().ok().map(Message::Rotations),
        "latency" => Latencies::parse(rest).map(Message::Latencies),
        "done" => rest.trim().parse().ok().map(Message::Done),
        _ => None,
    }
}
