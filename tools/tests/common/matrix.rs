//! The shipping guide's measurements, one [`Case`] each: a follower with
//! the guide's configuration, renamed or restart-proof files, gzip or not,
//! restarted or not, at about 14.6 rotations/s; and what each case must
//! show, whatever else it loses ([`Case::check`]). The CI tests run some
//! cases (`shippers.rs`), `scripts/measure-shippers.sh` all of them
//! (`shipper_matrix.rs`), and the guide's table is its output.

use std::path::Path;
use std::time::Duration;

use super::Fleet;
use super::followers::{Files, Follower, Rsyslog, SyslogNg, Tail};
use super::shipping::{self, Outcome, Restart};

/// A follower as the guide configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GNU `tail -F` (inotify).
    Tail,
    /// rsyslog imfile, inotify mode.
    Rsyslog,
    /// rsyslog imfile, polling every second.
    RsyslogPolling,
    /// syslog-ng: `file()` on a renamed log, `wildcard-file()` on a
    /// restart-proof one.
    SyslogNg,
}

/// Whether and when the backups are gzipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gzip {
    Off,
    /// `compress_after` left to the library: at once for renamed files, 5
    /// minutes for restart-proof ones (so never within a run).
    Default,
    /// `compress_after(0)` for a restart-proof log: what was the default.
    AtOnce,
}

/// How the follower is restarted during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restarts {
    None,
    /// 3 times, 2 s down each.
    Sigterm,
    Sigkill,
}

/// A configuration the guide warns against, measured to say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// The guide's configuration as written.
    None,
    /// syslog-ng's `wildcard-file()` without `max-files()`: 100 files.
    DefaultMaxFiles,
    /// syslog-ng without `flags(flow-control)` on the log path.
    NoFlowControl,
    /// syslog-ng's `wildcard-file()` on the live file of a renamed log.
    WildcardOnRenamed,
    /// rsyslog pointed at `*.log`, which also matches the stable name.
    GlobWithStableName,
    /// `tail -F` polling every second instead of inotify.
    TailPolling,
}

/// One measurement.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub kind: Kind,
    pub files: Files,
    pub gzip: Gzip,
    pub restarts: Restarts,
    /// Python's handler writes, not the library (renamed files only).
    pub python: bool,
    pub departure: Departure,
}

/// Lines each of the 4 writers writes, at [`RATE`]: 15 s.
const LINES: u64 = 30_000;
/// Lines per second each writer writes: 4 x 2,000 lines of 120 bytes a
/// second fill a 64 KiB file 14.6 times a second.
const RATE: u64 = 2_000;

impl Case {
    /// A case of the library's writers.
    pub const fn new(kind: Kind, files: Files, gzip: Gzip, restarts: Restarts) -> Case {
        Case {
            kind,
            files,
            gzip,
            restarts,
            python: false,
            departure: Departure::None,
        }
    }

    /// The writers: 4 processes, 120-byte lines, 64 KiB files, paced to
    /// about 14.6 rotations/s, keeping every file of the run (none pruned
    /// before a follower could read it).
    pub fn fleet(&self, dir: &Path) -> Fleet {
        Fleet {
            log: dir.join("logs").join("app.log"),
            processes: 4,
            lines: LINES,
            line_size: 120,
            max_bytes: 64 * 1024,
            backups: 1_000,
            gzip: self.gzip != Gzip::Off,
            restart_proof: self.files == Files::RestartProof,
            compress_after: (self.gzip == Gzip::AtOnce).then_some(Duration::ZERO),
            rate: RATE,
            python: self.python,
            ..Fleet::new(dir)
        }
    }

    /// The follower, with its home in `home`, following the log in
    /// `log_dir`.
    pub fn follower(&self, home: &Path, log_dir: &Path) -> Box<dyn Follower> {
        let departure = self.departure;
        match self.kind {
            Kind::Tail => Box::new(Tail {
                poll_seconds: (departure == Departure::TailPolling).then_some(1),
                ..Tail::new(home, &log_dir.join("app.log"))
            }),
            Kind::Rsyslog | Kind::RsyslogPolling => Box::new(Rsyslog {
                polling: self.kind == Kind::RsyslogPolling,
                glob: (departure == Departure::GlobWithStableName).then_some("*.log"),
                ..Rsyslog::new(home, log_dir, self.files)
            }),
            Kind::SyslogNg => Box::new(SyslogNg {
                default_max_files: departure == Departure::DefaultMaxFiles,
                flow_control: departure != Departure::NoFlowControl,
                wildcard_on_renamed: departure == Departure::WildcardOnRenamed,
                ..SyslogNg::new(home, log_dir, self.files)
            }),
        }
    }

    /// Runs the case, prints its table row, and checks it.
    pub fn run(&self) -> Outcome {
        let dir = tempfile::tempdir().unwrap();
        let fleet = self.fleet(dir.path());
        let follower = self.follower(&dir.path().join("follower"), fleet.log.parent().unwrap());
        let restarts = match self.restarts {
            Restarts::None => vec![],
            Restarts::Sigterm => vec![restart(libc::SIGTERM); 3],
            Restarts::Sigkill => vec![restart(libc::SIGKILL); 3],
        };
        let outcome =
            shipping::follow(follower.as_ref(), &fleet, &restarts, Duration::from_secs(2));
        println!("{outcome}");
        outcome
    }

    /// Whether this case must lose nothing: a restart-proof log, unless
    /// its files are gzipped at once or the follower keeps no place
    /// (`tail -F` restarted starts over); a renamed log written by the
    /// library, followed with inotify by a follower never restarted.
    pub fn loses_nothing(&self) -> bool {
        if self.departure != Departure::None {
            return false;
        }
        match self.files {
            Files::RestartProof => {
                self.gzip != Gzip::AtOnce
                    && !(self.kind == Kind::Tail && self.restarts != Restarts::None)
            }
            Files::Renamed => {
                !self.python
                    && self.restarts == Restarts::None
                    && matches!(self.kind, Kind::Tail | Kind::Rsyslog)
            }
        }
    }

    /// Whether the follower follows one name, `app.log` (which a renamed
    /// log's rotation, or a restart-proof log's switch, moves to the next
    /// file), rather than every file of a restart-proof log by a glob.
    pub fn follows_one_name(&self) -> bool {
        self.kind == Kind::Tail || self.files == Files::Renamed
    }

    /// What the case must show, whatever the follower loses: every line it
    /// shipped is a whole line some writer wrote; nothing lost where
    /// [`loses_nothing`](Case::loses_nothing) says; a line shipped twice
    /// only where the follower's own state says it had not shipped it yet
    /// (for a follower whose state the tests read), and none after a
    /// SIGTERM of a follower that keeps a place. Returns what failed.
    pub fn check(&self, outcome: &Outcome) -> Result<(), String> {
        let shipped = &outcome.shipped;
        let name = format!("{} ({:?})", outcome.follower, self);
        if shipped.torn > 0 || shipped.unterminated {
            return Err(format!("{name}: a line shipped torn: {shipped}"));
        }
        // What a follower loses by its own design, and the only losses
        // excused: syslog-ng lists the directory before it starts watching
        // it (see `Follower::lists_before_watching`), so a file created in
        // between is not read until its next start; a follower of one name
        // skips whole a file that lived less than it took to notice the
        // next (at 14.6 rotations a second, 68 ms: seen under load). A
        // line lost from a file otherwise shipped is never excused.
        let excused = match self.follows_one_name() && shipped.lost > outcome.lost_while_starting {
            true if outcome.lost_in_part == 0 => shipped.lost,
            _ => outcome.lost_while_starting,
        };
        if self.loses_nothing() && shipped.lost > excused {
            return Err(format!(
                "{name}: lines lost ({} in files created while it started, {} from files otherwise shipped): {shipped}",
                outcome.lost_while_starting, outcome.lost_in_part
            ));
        }
        if self.restarts == Restarts::None && self.loses_nothing() && shipped.duplicated > 0 {
            return Err(format!("{name}: lines shipped twice: {shipped}"));
        }
        // A departure's duplicates are its own (a glob matching a file
        // under two names); without restarts, `loses_nothing` said.
        if let Some(explained) = outcome.explained
            && self.restarts != Restarts::None
            && self.departure == Departure::None
            && shipped.duplicated > explained
        {
            return Err(format!(
                "{name}: {} lines shipped twice, of which its state explains {explained}: {shipped}",
                shipped.duplicated
            ));
        }
        let keeps_a_place = self.kind != Kind::Tail;
        if self.restarts == Restarts::Sigterm
            && keeps_a_place
            && self.loses_nothing()
            && shipped.duplicated > 0
        {
            return Err(format!(
                "{name}: lines shipped twice after SIGTERM: {shipped}"
            ));
        }
        Ok(())
    }

    /// Runs the case and fails the test unless its [`check`](Case::check)
    /// holds.
    pub fn run_and_check(&self) -> Outcome {
        let outcome = self.run();
        if let Err(failure) = self.check(&outcome) {
            panic!("{failure}");
        }
        outcome
    }
}

fn restart(signal: libc::c_int) -> Restart {
    Restart {
        signal,
        down: Duration::from_secs(2),
    }
}

/// Every case of the guide's table: each follower the guide configures,
/// on renamed and restart-proof files, with and without gzip, never
/// restarted and restarted 3 times by SIGTERM and by SIGKILL; gzip at
/// once on a restart-proof log (the former default); and Python's handler
/// under each follower, the baseline.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    for kind in [
        Kind::Tail,
        Kind::Rsyslog,
        Kind::RsyslogPolling,
        Kind::SyslogNg,
    ] {
        for files in [Files::Renamed, Files::RestartProof] {
            for restarts in [Restarts::None, Restarts::Sigterm, Restarts::Sigkill] {
                for gzip in [Gzip::Off, Gzip::Default] {
                    cases.push(Case::new(kind, files, gzip, restarts));
                }
                if files == Files::RestartProof && kind != Kind::Tail {
                    cases.push(Case::new(kind, files, Gzip::AtOnce, restarts));
                }
            }
        }
        for restarts in [Restarts::None, Restarts::Sigterm, Restarts::Sigkill] {
            cases.push(Case {
                python: true,
                ..Case::new(kind, Files::Renamed, Gzip::Off, restarts)
            });
        }
    }
    cases
}

/// The configurations the guide warns against, each once, to say what it
/// costs: syslog-ng with its default `max-files()` and without flow
/// control on a restart-proof log, its `wildcard-file()` on a renamed
/// one; rsyslog with a glob that also matches the stable name; `tail -F`
/// polling.
pub fn departures() -> Vec<Case> {
    let case = |kind, files, restarts, departure| Case {
        departure,
        ..Case::new(kind, files, Gzip::Off, restarts)
    };
    vec![
        case(
            Kind::SyslogNg,
            Files::RestartProof,
            Restarts::None,
            Departure::DefaultMaxFiles,
        ),
        case(
            Kind::SyslogNg,
            Files::RestartProof,
            Restarts::Sigterm,
            Departure::NoFlowControl,
        ),
        case(
            Kind::SyslogNg,
            Files::Renamed,
            Restarts::None,
            Departure::WildcardOnRenamed,
        ),
        case(
            Kind::Rsyslog,
            Files::RestartProof,
            Restarts::None,
            Departure::GlobWithStableName,
        ),
        case(
            Kind::Tail,
            Files::Renamed,
            Restarts::None,
            Departure::TailPolling,
        ),
    ]
}
