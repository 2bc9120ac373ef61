//! Real log followers, each run as the test's own process with its
//! configuration, state and output in a directory of its own (never the
//! system's daemon or its configuration): GNU `tail -F`, rsyslog's imfile
//! and syslog-ng's `file()` and `wildcard-file()`.
//!
//! Besides the log, every follower also follows a probe file
//! (`probe/probe.log` in its directory) and ships it to the same output:
//! a probe line written and seen shipped tells that the follower is up and
//! watching (see `shipping.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How one follower is started, and where it ships to.
pub trait Follower {
    /// Its name in reports, with its configuration.
    fn name(&self) -> String;
    /// Its directory: configuration, state, probe, output.
    fn home(&self) -> &Path;
    /// The command that starts it, or restarts it with the state it kept.
    fn command(&self) -> Command;
    /// Whether its program is installed (a test without it fails under
    /// `CI=true`, and is skipped elsewhere).
    fn installed(&self) -> Result<(), String>;

    /// Whether what it ships is its standard output (else its standard
    /// output is kept in `stdout.log` beside its messages).
    fn ships_to_stdout(&self) -> bool {
        false
    }
    /// The file it ships to.
    fn output(&self) -> PathBuf {
        self.home().join("shipped.log")
    }
    /// The probe file it follows besides the log.
    fn probe(&self) -> PathBuf {
        self.home().join("probe").join("probe.log")
    }
}

/// Creates a follower's directory with an empty probe file.
fn make_home(home: &Path) {
    fs::create_dir_all(home.join("probe")).unwrap();
    fs::create_dir_all(home.join("state")).unwrap();
    fs::write(home.join("probe").join("probe.log"), "").unwrap();
}

/// Whether `program version_flag` runs.
fn runs(program: &str, version_flag: &str) -> Result<(), String> {
    match Command::new(program).arg(version_flag).output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("`{program} {version_flag}` failed: {}", out.status)),
        Err(e) => Err(format!("`{program}` cannot be run: {e}")),
    }
}

/// GNU coreutils' `tail -F -n +1`: follows the path, reopening it when it
/// names a new file. With inotify (its default) it reads a renamed file to
/// its end first; polling (`---disable-inotify -s N`) looks every N
/// seconds.
pub struct Tail {
    pub home: PathBuf,
    /// The log's path.
    pub log: PathBuf,
    /// Poll every this many seconds instead of using inotify.
    pub poll_seconds: Option<f64>,
}

impl Tail {
    pub fn new(home: &Path, log: &Path) -> Tail {
        make_home(home);
        Tail {
            home: home.to_owned(),
            log: log.to_owned(),
            poll_seconds: None,
        }
    }
}

impl Follower for Tail {
    fn name(&self) -> String {
        match self.poll_seconds {
            None => "tail -F (inotify)".into(),
            Some(s) => format!("tail -F (polling every {s} s)"),
        }
    }

    fn home(&self) -> &Path {
        &self.home
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("tail");
        // -q: no "==> file <==" headers between the two files.
        cmd.args(["-q", "-F", "-n", "+1"]);
        if let Some(seconds) = self.poll_seconds {
            cmd.arg("---disable-inotify")
                .args(["-s", &seconds.to_string()]);
        }
        cmd.arg(self.probe()).arg(&self.log);
        cmd
    }

    fn installed(&self) -> Result<(), String> {
        runs("tail", "--version")
    }

    fn ships_to_stdout(&self) -> bool {
        true
    }
}

/// rsyslog's imfile, reading the log (a path, or a glob) and the probe,
/// and omfile writing each line as it was read (`%rawmsg%`) to the output.
pub struct Rsyslog {
    pub home: PathBuf,
    /// The log's path, or a glob (inotify mode only).
    pub watch: PathBuf,
    /// Poll every this many seconds instead of using inotify.
    pub poll_seconds: Option<u32>,
    /// Keep its place in each file across a SIGKILL too: the state is
    /// written after each batch of lines is shipped
    /// (`persistStateAfterSubmission`), and lines are shipped before
    /// imfile goes on (a `Direct` main queue, so no line read sits in a
    /// queue that a kill empties). Without it, the state is written when
    /// rsyslog stops cleanly.
    pub persist_state: bool,
}

impl Rsyslog {
    /// imfile cuts a line longer than this (8 KiB by default) and drops the
    /// rest: large enough for any record of the tests.
    pub const MAX_MESSAGE_SIZE: &str = "8m";

    pub fn new(home: &Path, watch: &Path) -> Rsyslog {
        make_home(home);
        Rsyslog {
            home: home.to_owned(),
            watch: watch.to_owned(),
            poll_seconds: None,
            persist_state: false,
        }
    }

    /// The configuration: nothing of the system's, no socket input, state
    /// in a work directory of its own.
    pub fn config(&self) -> String {
        let home = self.home.display();
        let mut mode = match self.poll_seconds {
            None => r#"mode="inotify""#.to_owned(),
            Some(s) => format!(r#"mode="polling" pollingInterval="{s}""#),
        };
        if self.watches_a_glob() {
            // Files found at start (after a restart) read in name order.
            mode.push_str(r#" sortFiles="on""#);
        }
        let (queue, persist) = match self.persist_state {
            true => (
                "main_queue(queue.type=\"Direct\")\n",
                r#" persistStateAfterSubmission="on""#,
            ),
            false => ("", ""),
        };
        format!(
            r#"global(workDirectory="{home}/state" maxMessageSize="{max}")
{queue}module(load="imfile" {mode})
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="ship") {{
    action(type="omfile" file="{output}" template="raw")
}}
input(type="imfile" file="{watch}" tag="app" ruleset="ship"{persist})
input(type="imfile" file="{probe}" tag="probe" ruleset="ship"{persist})
"#,
            max = Self::MAX_MESSAGE_SIZE,
            output = self.output().display(),
            watch = self.watch.display(),
            probe = self.probe().display(),
        )
    }

    fn config_path(&self) -> PathBuf {
        self.home.join("rsyslog.conf")
    }

    fn watches_a_glob(&self) -> bool {
        self.watch.to_string_lossy().contains('*')
    }
}

impl Follower for Rsyslog {
    fn name(&self) -> String {
        let mut name = match self.poll_seconds {
            None => "rsyslog imfile (inotify".to_owned(),
            Some(s) => format!("rsyslog imfile (polling every {s} s"),
        };
        if self.watches_a_glob() {
            let file = self.watch.file_name().unwrap_or_default();
            name.push_str(&format!(", `{}`", file.to_string_lossy()));
        }
        if self.persist_state {
            name.push_str(", state after each batch");
        }
        name + ")"
    }

    fn home(&self) -> &Path {
        &self.home
    }

    fn command(&self) -> Command {
        fs::write(self.config_path(), self.config()).unwrap();
        let mut cmd = Command::new("rsyslogd");
        // -n: in the foreground, a child of the test; -i: a pid file of its
        // own, so a system daemon's is never touched.
        cmd.arg("-n")
            .arg("-f")
            .arg(self.config_path())
            .arg("-i")
            .arg(self.home.join("rsyslogd.pid"));
        cmd
    }

    fn installed(&self) -> Result<(), String> {
        runs("rsyslogd", "-v")
    }
}

/// syslog-ng's `file()` (polls the path every `follow-freq` seconds) or
/// `wildcard-file()` (inotify on the directory). The program is
/// `$CRF_SYSLOG_NG`, or `syslog-ng` on the PATH.
pub struct SyslogNg {
    pub home: PathBuf,
    /// The log's path.
    pub log: PathBuf,
    /// `wildcard-file()` on the log's directory rather than `file()`.
    pub wildcard: bool,
    pub follow_freq: u32,
}

impl SyslogNg {
    pub fn new(home: &Path, log: &Path) -> SyslogNg {
        make_home(home);
        SyslogNg {
            home: home.to_owned(),
            log: log.to_owned(),
            wildcard: false,
            follow_freq: 1,
        }
    }

    fn program() -> String {
        std::env::var("CRF_SYSLOG_NG").unwrap_or_else(|_| "syslog-ng".into())
    }

    fn source(&self, path: &Path) -> String {
        let options = format!("follow-freq({}) flags(no-parse)", self.follow_freq);
        if self.wildcard {
            format!(
                r#"wildcard-file(base-dir("{}") filename-pattern("{}") {options})"#,
                path.parent().unwrap().display(),
                path.file_name().unwrap().to_string_lossy(),
            )
        } else {
            format!(r#"file("{}" {options})"#, path.display())
        }
    }

    pub fn config(&self) -> String {
        format!(
            r#"@version: 3.38
options {{ log-msg-size(262144); stats-freq(0); }};
source s_app {{ {app}; }};
source s_probe {{ {probe}; }};
destination d_shipped {{ file("{output}" template("${{MESSAGE}}\n")); }};
log {{ source(s_app); source(s_probe); destination(d_shipped); }};
"#,
            app = self.source(&self.log),
            probe = self.source(&self.probe()),
            output = self.output().display(),
        )
    }

    fn config_path(&self) -> PathBuf {
        self.home.join("syslog-ng.conf")
    }
}

impl Follower for SyslogNg {
    fn name(&self) -> String {
        let source = if self.wildcard {
            "wildcard-file()"
        } else {
            "file()"
        };
        format!("syslog-ng {source} (follow-freq({}))", self.follow_freq)
    }

    fn home(&self) -> &Path {
        &self.home
    }

    fn command(&self) -> Command {
        fs::write(self.config_path(), self.config()).unwrap();
        let state = self.home.join("state");
        let mut cmd = Command::new(Self::program());
        cmd.arg("-F")
            .arg("-f")
            .arg(self.config_path())
            .arg("-R")
            .arg(state.join("syslog-ng.persist"))
            .arg("-p")
            .arg(state.join("syslog-ng.pid"))
            .arg("-c")
            .arg(state.join("syslog-ng.ctl"));
        cmd
    }

    fn installed(&self) -> Result<(), String> {
        runs(&Self::program(), "--version")
    }
}
