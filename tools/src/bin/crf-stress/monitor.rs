//! While the writers run: the writing phase's progress bar, the kills
//! (`--kill K`): K random writers, each SIGKILLed when the run has written
//! a random share of its lines, so that the kills land mid-write,
//! mid-rotation and mid-compression alike; and a stop asked by SIGINT or
//! SIGTERM, which ends every writer.

use std::io;
use std::time::Duration;

use crf_tools::signals;

use crate::args::RunArgs;
use crate::fleet::Fleet;
use crate::progress;

/// Watches `fleet` until every writer has exited.
///
/// # Errors
///
/// `Interrupted` if a stop was asked (every writer is then ended and
/// reaped), or the error of a failed `kill` or `wait`.
pub(crate) fn watch(args: &RunArgs, fleet: &mut Fleet) -> io::Result<()> {
    let total = args.total_lines();
    let bar = progress::bytes("writing", args.total_bytes(), args.json);
    let mut rng = Rng::seeded();
    let mut victims: Vec<usize> = (0..fleet.len()).collect();
    rng.shuffle(&mut victims);
    victims.truncate(args.kill as usize);
    let mut targets: Vec<(u64, usize)> = victims
        .iter()
        .map(|&victim| (rng.below(total * 9 / 10), victim))
        .collect();
    targets.sort_unstable_by(|a, b| b.cmp(a)); // popped from the end, smallest first
    loop {
        // Asked before whether the writers are done: a stop that came as
        // they finished still ends the run unverified.
        if let Err(stop) = signals::unless_stop_asked() {
            bar.finish_and_clear();
            fleet.stop();
            return Err(stop);
        }
        let written = fleet.lines_written();
        bar.set_position(written.min(total) * args.line_size);
        while targets.last().is_some_and(|&(target, _)| target <= written) {
            let (_, victim) = targets.pop().expect("checked");
            fleet.kill(victim)?;
        }
        if fleet.all_exited()? {
            break;
        }
        // Finer steps while a kill is due, so it lands at a random instant.
        let pause = if targets.is_empty() {
            Duration::from_millis(50)
        } else {
            Duration::from_micros(200)
        };
        std::thread::sleep(pause);
    }
    bar.finish_and_clear();
    Ok(())
}

/// A small xorshift generator: the kills need spread, not quality.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}
