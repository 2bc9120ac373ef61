//! Real log followers, each run as the test's own process with the shipping
//! guide's configuration (`guide.rs`) and its state and output in a
//! directory of its own (never the system's daemon or its configuration):
//! GNU `tail -F`, rsyslog's imfile and syslog-ng.
//!
//! Besides the log, every follower also follows a probe file
//! (`probe/probe.log` in its directory) and ships it to the same output:
//! a probe line written and seen shipped tells that the follower is up and
//! watching (see `shipping.rs`). That input is the tests' own, added to
//! the guide's text.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::guide;

/// How one follower is started, and where it ships to.
pub trait Follower {
    /// Its name in reports, with its configuration.
    fn name(&self) -> String;
    /// Its directory: configuration, state, probe, output.
    fn home(&self) -> &Path;
    /// The command that starts it, or restarts it with the state it kept.
    fn command(&self) -> Command;
    /// The program it runs, and how to get it, if it is missing.
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
    /// Where it keeps its place in each file (its state directory), if it
    /// keeps one.
    fn state(&self) -> PathBuf {
        self.home().join("state")
    }
    /// The place in each file its state names, by inode (where it resumes
    /// after a restart), if it can be read; `None` for a follower whose
    /// state is not known to the tests.
    fn saved_places(&self) -> Option<Vec<SavedPlace>> {
        None
    }
    /// Whether it lists the directory before it starts watching it, so
    /// that a file created in between is not read until its next start.
    fn lists_before_watching(&self) -> bool {
        false
    }
}

/// Where a follower's state says it is in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPlace {
    pub inode: u64,
    /// The offset it resumes from; 0 when its record of the file is empty.
    pub offset: u64,
}

/// Which files of the log a follower is pointed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// `app.log`: the live file of a log renamed at each rotation.
    Renamed,
    /// `app.*.log`: every file of a restart-proof log, each under a name
    /// that never changes (what the guide's configurations say).
    RestartProof,
}

/// Creates a follower's directory with an empty probe file.
fn make_home(home: &Path) {
    fs::create_dir_all(home.join("probe")).unwrap();
    fs::create_dir_all(home.join("state")).unwrap();
    fs::write(home.join("probe").join("probe.log"), "").unwrap();
}

/// Whether `program version_flag` runs; if not, what is missing and how to
/// get it.
fn runs(program: &str, version_flag: &str, get_it: &str) -> Result<(), String> {
    match Command::new(program).arg(version_flag).output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`{program} {version_flag}` failed ({}): {get_it}",
            out.status
        )),
        Err(e) => Err(format!("`{program}` cannot be run ({e}): {get_it}")),
    }
}

/// GNU coreutils' `tail -F`, as the guide runs it: follows the path,
/// reopening it when it names a new file; with inotify (its default) it
/// reads a renamed file to its end first. `poll_seconds` makes it poll
/// instead (`---disable-inotify -s N`), which the guide warns against.
pub struct Tail {
    pub home: PathBuf,
    /// The log's path.
    pub log: PathBuf,
    pub poll_seconds: Option<u32>,
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
            None => "tail -F".into(),
            Some(s) => format!("tail -F, polling every {s} s"),
        }
    }

    fn home(&self) -> &Path {
        &self.home
    }

    fn command(&self) -> Command {
        // The guide's command, up to its pipe into a forwarder.
        let text = guide::config("tail");
        let text = text.split('|').next().unwrap_or_default();
        let text = guide::replace(
            text,
            &format!("{}/app.log", guide::LOG_DIR),
            &self.log.display().to_string(),
        );
        let mut words = text.split_whitespace();
        let mut cmd = Command::new(words.next().expect("the guide's tail command"));
        cmd.args(words);
        // The probe besides, without the "==> file <==" headers between
        // the two files.
        cmd.arg("-q").arg(self.probe());
        if let Some(seconds) = self.poll_seconds {
            cmd.arg("---disable-inotify")
                .args(["-s", &seconds.to_string()]);
        }
        cmd
    }

    fn installed(&self) -> Result<(), String> {
        runs("tail", "--version", "GNU coreutils' tail")
    }

    fn ships_to_stdout(&self) -> bool {
        true
    }
}

/// rsyslog's imfile with the guide's configuration: the live file of a
/// renamed log, or every file of a restart-proof one; inotify, or the
/// polling mode the guide gives for where inotify cannot be used.
pub struct Rsyslog {
    pub home: PathBuf,
    /// The log's directory.
    pub log_dir: PathBuf,
    pub files: Files,
    pub polling: bool,
    /// The guide's `maxMessageSize`, raised for records longer than it (as
    /// the guide says to).
    pub max_message_size: Option<&'static str>,
    /// A glob of the tests' in place of the guide's (what the guide warns
    /// against).
    pub glob: Option<&'static str>,
}

impl Rsyslog {
    pub fn new(home: &Path, log_dir: &Path, files: Files) -> Rsyslog {
        make_home(home);
        Rsyslog {
            home: home.to_owned(),
            log_dir: log_dir.to_owned(),
            files,
            polling: false,
            max_message_size: None,
            glob: None,
        }
    }

    /// The guide's configuration as this test runs it, with the probe.
    pub fn config(&self) -> String {
        let mut text = guide::config("rsyslog");
        let restart_proof = format!(r#"file="{}/app.*.log""#, guide::LOG_DIR);
        if self.files == Files::Renamed {
            let renamed = format!(r#"file="{}/app.log""#, guide::LOG_DIR);
            text = guide::replace(&text, &restart_proof, &renamed);
        }
        if let Some(glob) = self.glob {
            let glob = format!(r#"file="{}/{glob}""#, guide::LOG_DIR);
            text = guide::replace(&text, &restart_proof, &glob);
        }
        if self.polling {
            text = guide::replace(
                &text,
                r#"mode="inotify""#,
                r#"mode="polling" pollingInterval="1""#,
            );
        }
        if let Some(size) = self.max_message_size {
            text = guide::replace(
                &text,
                r#"maxMessageSize="64k""#,
                &format!(r#"maxMessageSize="{size}""#),
            );
        }
        let text = guide::localize(&text, &self.log_dir, &self.output(), &self.state());
        // The probe goes to the guide's ruleset.
        guide::holds(&text, r#"ruleset(name="myapp")"#);
        text + &format!(
            "input(type=\"imfile\" file=\"{}\" tag=\"probe\" ruleset=\"myapp\")\n",
            self.probe().display()
        )
    }

    fn config_path(&self) -> PathBuf {
        self.home.join("rsyslog.conf")
    }
}

impl Follower for Rsyslog {
    fn name(&self) -> String {
        let mut name = match self.polling {
            false => "rsyslog imfile".to_owned(),
            true => "rsyslog imfile, polling every 1 s".to_owned(),
        };
        if let Some(glob) = self.glob {
            name.push_str(&format!(", `{glob}`"));
        }
        name
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
        runs(
            "rsyslogd",
            "-v",
            "install it with `apt-get install rsyslog`, as .ci/run does",
        )
    }

    /// imfile keeps a file per followed file in its work directory,
    /// `imfile-state:<inode>[:<hash>]`, holding JSON with `curr_offs`.
    fn saved_places(&self) -> Option<Vec<SavedPlace>> {
        let mut places = Vec::new();
        for entry in fs::read_dir(self.state()).ok()? {
            let entry = entry.ok()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix("imfile-state:") else {
                continue;
            };
            let inode = rest.split(':').next()?.parse().ok()?;
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            let offset = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|json| json["curr_offs"].as_u64())
                .unwrap_or(0);
            places.push(SavedPlace { inode, offset });
        }
        Some(places)
    }
}

/// syslog-ng with the guide's configuration: `file()` on the live file of
/// a renamed log, `wildcard-file()` on every file of a restart-proof one.
/// The program is `$CRF_SYSLOG_NG`, or `syslog-ng` on the PATH.
pub struct SyslogNg {
    pub home: PathBuf,
    /// The log's directory.
    pub log_dir: PathBuf,
    pub files: Files,
    /// Without the guide's `max-files()`: syslog-ng's default (100).
    pub default_max_files: bool,
    /// `wildcard-file()` on a renamed log (what the guide warns against).
    pub wildcard_on_renamed: bool,
    /// The guide's `flags(flow-control)` on the log path.
    pub flow_control: bool,
}

impl SyslogNg {
    pub fn new(home: &Path, log_dir: &Path, files: Files) -> SyslogNg {
        make_home(home);
        SyslogNg {
            home: home.to_owned(),
            log_dir: log_dir.to_owned(),
            files,
            default_max_files: false,
            wildcard_on_renamed: false,
            flow_control: true,
        }
    }

    pub fn program() -> String {
        std::env::var("CRF_SYSLOG_NG").unwrap_or_else(|_| "syslog-ng".into())
    }

    /// The guide's configuration as this test runs it, with the probe.
    pub fn config(&self) -> String {
        let mut text = match self.files {
            Files::Renamed if !self.wildcard_on_renamed => guide::config("syslog-ng-renamed"),
            _ => guide::config("syslog-ng"),
        };
        if self.wildcard_on_renamed {
            text = guide::replace(
                &text,
                r#"filename-pattern("app.*.log")"#,
                r#"filename-pattern("app.log")"#,
            );
        }
        if self.default_max_files {
            text = guide::replace(&text, "max-files(1000) ", "");
        }
        if !self.flow_control {
            text = guide::replace(&text, " flags(flow-control);", "");
        }
        let text = guide::localize(&text, &self.log_dir, &self.output(), &self.state());
        // The probe goes to the guide's destination.
        guide::holds(&text, "destination d_myapp");
        text + &format!(
            "source s_probe {{ file(\"{}\" follow-freq(1) flags(no-parse)); }};\nlog {{ source(s_probe); destination(d_myapp); }};\n",
            self.probe().display()
        )
    }

    fn config_path(&self) -> PathBuf {
        self.home.join("syslog-ng.conf")
    }
}

impl Follower for SyslogNg {
    fn name(&self) -> String {
        let source = match (self.files, self.wildcard_on_renamed) {
            (Files::Renamed, false) => "file()",
            _ => "wildcard-file()",
        };
        let mut name = format!("syslog-ng {source}");
        if self.default_max_files {
            name.push_str(", default max-files(100)");
        }
        if !self.flow_control {
            name.push_str(", no flow-control");
        }
        name
    }

    fn home(&self) -> &Path {
        &self.home
    }

    fn command(&self) -> Command {
        fs::write(self.config_path(), self.config()).unwrap();
        let state = self.state();
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

    /// `wildcard-file()` does (`directory_monitor_start` in its
    /// `modules/affile/directory-monitor.c`: the directory is read, then
    /// watched, with inotify and with polling alike).
    fn lists_before_watching(&self) -> bool {
        self.files == Files::RestartProof || self.wildcard_on_renamed
    }

    fn installed(&self) -> Result<(), String> {
        runs(
            &Self::program(),
            "--version",
            "scripts/followers.sh unpacks Debian's syslog-ng-core beside rsyslog and prints CRF_SYSLOG_NG, as .ci/run does",
        )
    }
}
