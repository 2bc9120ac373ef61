//! [`Router`]: the rotating file of each name, opened on first use, and
//! where an event goes when its name is no good or its file cannot open.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use crate::builder::Builder;
use crate::error::{Error, ErrorKind};
use crate::router::cache::{FileCache, Lookup};
use crate::router::name::{LogName, Naming, is_valid, valid_root};
use crate::router::stats::RouterStats;
use crate::sys::stderr;
use crate::writer::handle::RotatingFile;
use crate::writer::records::Records;

/// The name events go to when theirs cannot be used, unless
/// [`Router::fallback`] says otherwise.
const DEFAULT_FALLBACK: &str = "other";

/// Sends each event to the rotating file of its name: one file per
/// component of a service, shared by all its processes, as Python's
/// `getLogger(name)` with a concurrent rotating handler per name does.
///
/// Made from a closure that gives each name its options, usually a path
/// with the name in it. With the `tracing` feature a `Router` is a
/// `MakeWriter` (an event is named by its target: `web::views` goes to
/// `web`; see [`Naming`]); with the `log` feature, a `log::Log`. Through
/// either, each event is one record of its file, with every guarantee of a
/// [`RotatingFile`].
///
/// ```
/// use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let dir = dir.path().to_path_buf();
/// # let logs = dir.clone();
///
/// let router = Router::new(move |name: &str| {
///     RotatingFile::builder(logs.join(format!("{name}.log"))).max_bytes(1 << 20)
/// });
/// let subscriber = tracing_subscriber::fmt().with_writer(router.clone()).with_ansi(false).finish();
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(target: "web::views", "request served");
///     tracing::info!(target: "db", "query done");
///     tracing::info!(target: "../../etc/passwd", "no escape");
/// });
/// assert!(std::fs::read_to_string(dir.join("web.log"))?.contains("request served"));
/// assert!(std::fs::read_to_string(dir.join("db.log"))?.contains("query done"));
/// assert!(std::fs::read_to_string(dir.join("other.log"))?.contains("no escape"));
/// assert_eq!(router.stats().invalid_names, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// - **Lazy.** A name's file is opened by its first event (or by
///   [`Router::file`]), by calling the closure and
///   [`Builder::open`]; several processes (and clones of a router) opening
///   the same path share it like any `RotatingFile`.
/// - **Bounded.** At most [`max_open`](Router::max_open) files are open
///   (default 64); beyond, the least recently used is closed, and opened
///   again by the next event of its name.
/// - **Never outside the directory.** A name is used only if it is a plain
///   file name: 1 to 64 ASCII letters, digits, `_`, `-` and `.`, not
///   starting with `.` or `-`, without `..`. Anything else (a path
///   separator, `..`, empty, spaces, control characters) sends the event to
///   the [`fallback`](Router::fallback) name's file, `other` by default,
///   counted in [`RouterStats::invalid_names`]; the closure never sees it.
/// - **A file that cannot open.** If the closure's builder fails (its
///   directory cannot be created, a permission), the typed [`Error`] is
///   counted ([`RouterStats::open_failures`]) and the first printed on
///   stderr; the event goes to the fallback file, and so do the name's
///   events for a second, after which opening is tried again. If the
///   fallback cannot open either, the event is counted as lost
///   ([`RouterStats::lost`]) and reported once. Nothing panics.
///   [`Router::file`] opens a name at once and returns the error itself,
///   for a service that wants to fail at start-up.
/// - **Cheap per event.** Once a name's file is open, routing an event costs
///   a hash lookup under a mutex held for that alone: records for different
///   names are written in parallel, each under its own file's lock.
///
/// `Router` is `Clone` (clones share the open files) `+ Send + Sync`.
/// For log calls that only queue, see [`Router::non_blocking`].
#[derive(Clone)]
pub struct Router {
    routes: Arc<Routes>,
    options: Arc<Options>,
}

/// What all clones share.
struct Routes {
    open: Box<dyn Fn(&str) -> Builder + Send + Sync>,
    files: FileCache,
    opened: AtomicU64,
    closed: AtomicU64,
    open_failures: AtomicU64,
    invalid_names: AtomicU64,
    to_fallback: AtomicU64,
    lost: AtomicU64,
    /// Records the files' filters dropped, whichever file.
    filtered: Arc<AtomicU64>,
    reported_open_failure: AtomicBool,
    reported_invalid_name: AtomicBool,
    reported_loss: AtomicBool,
    /// The most files kept open since the process ran out of descriptors
    /// with more open (`usize::MAX` until then).
    descriptor_bound: AtomicUsize,
}

/// The options set on a router.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) naming: Naming,
    /// `Err` holds a fallback name that is not valid: such events are lost.
    fallback: Result<LogName, Box<str>>,
    max_open: usize,
    #[cfg(feature = "log")]
    pub(crate) log: crate::log_line::LogLine,
}

// === impl Router ===

impl Router {
    /// A router that opens `logs/<name>.log`, or whatever the builder `open`
    /// returns for a name, on the first event of that name.
    pub fn new<F>(open: F) -> Router
    where
        F: Fn(&str) -> Builder + Send + Sync + 'static,
    {
        Router {
            routes: Arc::new(Routes {
                open: Box::new(open),
                files: FileCache::default(),
                opened: AtomicU64::new(0),
                closed: AtomicU64::new(0),
                open_failures: AtomicU64::new(0),
                invalid_names: AtomicU64::new(0),
                to_fallback: AtomicU64::new(0),
                lost: AtomicU64::new(0),
                filtered: Arc::default(),
                reported_open_failure: AtomicBool::new(false),
                reported_invalid_name: AtomicBool::new(false),
                reported_loss: AtomicBool::new(false),
                descriptor_bound: AtomicUsize::new(usize::MAX),
            }),
            options: Arc::new(Options {
                naming: Naming::default(),
                fallback: Ok(LogName::new(DEFAULT_FALLBACK).expect("a valid name")),
                max_open: 64,
                #[cfg(feature = "log")]
                log: Default::default(),
            }),
        }
    }

    /// How events are named: by the first segment of their target (the
    /// default), the whole target, or a field. See [`Naming`].
    #[must_use]
    pub fn naming(mut self, naming: Naming) -> Router {
        Arc::make_mut(&mut self.options).naming = naming;
        self
    }

    /// The name whose file takes the events whose own name is invalid or
    /// whose file cannot be opened. Default: `other`. It is checked like
    /// any name: if it is not a plain file name, such events are lost (and
    /// counted, and reported once).
    #[must_use]
    pub fn fallback(mut self, name: &str) -> Router {
        Arc::make_mut(&mut self.options).fallback = LogName::new(name).ok_or_else(|| name.into());
        self
    }

    /// The most files kept open at once (at least 1). Each open log holds
    /// three descriptors (the log, its lock and its shared state). When an
    /// event needs one more, the least recently used is closed; it is opened
    /// again by the next event of its name. Default: 64.
    ///
    /// ```
    /// use concurrent_rotating_file::{RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let logs = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))))
    ///     .max_open(2);
    /// for name in ["web", "db", "jobs"] {
    ///     router.file(name)?;
    /// }
    /// assert!(!router.is_open("web") && router.is_open("db") && router.is_open("jobs"));
    /// assert_eq!((router.stats().open_files, router.stats().closed), (2, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_open(mut self, files: usize) -> Router {
        Arc::make_mut(&mut self.options).max_open = files.max(1);
        self
    }

    /// A handle onto `name`'s file, opened now if it is not open yet: to
    /// write to it through [`io::Write`](std::io::Write), read its counters, or make sure at
    /// start-up that a name's file can be opened.
    ///
    /// ```
    /// use std::io::Write;
    /// use concurrent_rotating_file::{ErrorKind, RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let dir = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| RotatingFile::builder(dir.join(format!("{name}.log"))));
    /// let mut audit = router.file("audit")?;
    /// writeln!(audit, "{{\"action\":\"login\"}}")?;
    /// assert_eq!(router.file("../audit").unwrap_err().kind(), ErrorKind::InvalidName);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidName`] if `name` is not a plain file name (see
    /// the list above); otherwise whatever [`Builder::open`] returns for the
    /// builder the closure gives.
    pub fn file(&self, name: &str) -> Result<RotatingFile, Error> {
        if LogName::new(name).is_none() {
            return Err(Error::invalid(
                ErrorKind::InvalidName,
                "cannot route to log name",
                Path::new(name),
                "a log name is 1 to 64 ASCII letters, digits, `_`, `-` and `.`, not starting with `.` or `-`, without `..`",
            ));
        }
        let file = match self.routes.files.get(name, Instant::now) {
            Lookup::Open(file) => file,
            Lookup::RecentlyFailed | Lookup::Missing => self.open(name)?,
        };
        Ok(RotatingFile::clone(&file))
    }

    /// Appends `record`, as one record whatever it holds, to `name`'s
    /// file: for a caller that names and formats its records itself (another
    /// language's logging library). `name` is used as it is, not cut at
    /// `::`. As for an event: an invalid name (see the list above) or a
    /// file that cannot open sends the record to the fallback file,
    /// counted in [`RouterStats`].
    ///
    /// ```
    /// use concurrent_rotating_file::{RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let logs = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
    /// router.write_record("web", b"request served\n")?;
    /// router.write_record("../etc", b"no escape\n")?;
    /// assert_eq!(std::fs::read_to_string(dir.path().join("web.log"))?, "request served\n");
    /// assert_eq!(std::fs::read_to_string(dir.path().join("other.log"))?, "no escape\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The `io::Error` of the write, naming the path; or, when neither
    /// the name's file nor the fallback can be opened (the record is then
    /// counted in [`RouterStats::lost`]), an error saying so.
    pub fn write_record(&self, name: &str, record: &[u8]) -> io::Result<()> {
        let valid = is_valid(name).then_some(name);
        if valid.is_none() {
            self.invalid(name);
        }
        match self.file_for_name(valid, 1) {
            Some(file) => file.write_record(record),
            None => Err(io::Error::other(format!(
                "a record for log name `{}` was lost: neither its file nor the fallback could be opened",
                name.escape_debug()
            ))),
        }
    }

    /// Counters of this router's activity in this process, shared by its
    /// clones.
    pub fn stats(&self) -> RouterStats {
        let routes = &self.routes;
        let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
        RouterStats {
            open_files: routes.files.len(),
            opened: load(&routes.opened),
            closed: load(&routes.closed),
            open_failures: load(&routes.open_failures),
            invalid_names: load(&routes.invalid_names),
            to_fallback: load(&routes.to_fallback),
            lost: load(&routes.lost),
            filtered: load(&routes.filtered),
        }
    }

    /// Whether `name`'s file is open now.
    pub fn is_open(&self, name: &str) -> bool {
        self.routes.files.contains(name)
    }

    /// What to call before the program ends: waits, at most `timeout`, until
    /// every compression this process queued for the files open now is
    /// finished, so that it leaves their backups gzipped, as
    /// [`RotatingFile::shutdown`] does for one file. The router can still
    /// be used afterwards. (A background router's guard does this when
    /// dropped, and the process's exit within each file's
    /// `compression_wait`.)
    ///
    /// ```
    /// use std::time::Duration;
    /// use concurrent_rotating_file::{Compression, RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let logs = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| {
    ///     RotatingFile::builder(logs.join(format!("{name}.log"))).max_bytes(64).compression(Compression::Gzip)
    /// });
    /// for i in 0..10 {
    ///     router.write_record("web", format!("request {i} served\n").as_bytes())?;
    /// }
    /// router.shutdown(Duration::from_secs(10))?;
    /// assert!(dir.path().join("web.log.1.gz").exists());
    /// assert!(!dir.path().join("web.log.1").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When compressions are still unfinished after `timeout`, an error of
    /// kind [`TimedOut`](io::ErrorKind::TimedOut) saying how many (they go
    /// on in the background; what the exit cuts short, the next process to
    /// open the log finishes).
    pub fn shutdown(&self, timeout: std::time::Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        let left: u64 = self
            .routes
            .files
            .files()
            .iter()
            .map(|file| file.open_log().wait_for_compressions(deadline))
            .sum();
        match left {
            0 => Ok(()),
            left => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("shutdown of a router: {left} compression(s) unfinished after {timeout:?}"),
            )),
        }
    }

    /// Waits, for each file open now, for the compressions this process
    /// queued, within the file's `compression_wait` (from one start) and
    /// `deadline`: for the background writer's guard.
    pub(crate) fn wait_for_compressions(&self, deadline: Option<Instant>) {
        let started = Instant::now();
        for file in self.routes.files.files() {
            let log = file.open_log();
            let bound = started + log.config.compression_wait;
            let left = log.wait_for_compressions(deadline.map_or(bound, |d| d.min(bound)));
            if left > 0 {
                stderr::print(format_args!(
                    "{left} compression(s) of `{}`'s backups unfinished when the router's background writer stopped; they go on in the background, and the next process to open the log finishes what this one does not",
                    file.path().display()
                ));
            }
        }
    }

    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    #[cfg(feature = "log")]
    pub(crate) fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }

    /// Counts and reports (the first only) a name that cannot be used.
    fn invalid(&self, raw: &str) {
        let routes = &self.routes;
        routes.invalid_names.fetch_add(1, Ordering::Relaxed);
        if !routes.reported_invalid_name.swap(true, Ordering::Relaxed) {
            eprintln!(
                "concurrent-rotating-file: `{}` is not a valid log name; such events go to the fallback file (further ones are counted, not printed)",
                raw.escape_debug()
            );
        }
    }

    /// The name `raw` (a target, a field's value) stands for, as parsed:
    /// an invalid one becomes the fallback, counted and reported.
    pub(crate) fn checked(&self, raw: &str, parsed: Option<LogName>) -> LogName {
        parsed.unwrap_or_else(|| {
            self.invalid(raw);
            LogName::FALLBACK
        })
    }

    /// The name of an event of `target`, as the router's naming gives it
    /// ([`Naming::Field`] read from the field is the caller's business),
    /// copied to travel through the queue.
    pub(crate) fn name_of_target(&self, target: &str) -> LogName {
        self.checked(target, LogName::of_target(target, self.options.naming))
    }

    /// The file for one event of `target` (see [`Router::file_for`]). With
    /// the default naming the name is borrowed from the target: no copy.
    pub(crate) fn file_for_target(&self, target: &str) -> Option<Arc<RotatingFile>> {
        match self.options.naming {
            Naming::Target => self.file_for(&self.name_of_target(target), 1),
            Naming::TargetRoot | Naming::Field(_) => {
                let name = valid_root(target);
                if name.is_none() {
                    self.invalid(target);
                }
                self.file_for_name(name, 1)
            }
        }
    }

    /// The file for one event named by a field's `value`.
    #[cfg(feature = "tracing")]
    pub(crate) fn file_for_field(&self, value: &str) -> Option<Arc<RotatingFile>> {
        let name = crate::router::name::is_valid(value).then_some(value);
        if name.is_none() {
            self.invalid(value);
        }
        self.file_for_name(name, 1)
    }

    /// Appends `record` (one event, one record) to `name`'s file; failures
    /// are counted and reported, as on every path that cannot return them.
    pub(crate) fn append_or_report(&self, name: &LogName, record: &[u8]) {
        if let Some(file) = self.file_for(name, 1) {
            file.open_log().append_or_report(record, Records::One);
        }
    }

    /// The file for `events` events of `name`: its own, else the
    /// fallback's (counted); `None`, counted as lost, if even that cannot be
    /// opened.
    pub(crate) fn file_for(&self, name: &LogName, events: u64) -> Option<Arc<RotatingFile>> {
        self.file_for_name(name.get(), events)
    }

    /// [`Router::file_for`], with a name already checked (`None`: the
    /// fallback).
    fn file_for_name(&self, name: Option<&str>, events: u64) -> Option<Arc<RotatingFile>> {
        if let Some(name) = name {
            match self.routes.files.get(name, Instant::now) {
                Lookup::Open(file) => return Some(file),
                Lookup::RecentlyFailed => {}
                Lookup::Missing => match self.open(name) {
                    Ok(file) => return Some(file),
                    Err(e) => self.report_open_failure(name, &e),
                },
            }
        }
        let routes = &self.routes;
        routes.to_fallback.fetch_add(events, Ordering::Relaxed);
        let fallback = match &self.options.fallback {
            Ok(fallback) => fallback.get().unwrap_or(DEFAULT_FALLBACK),
            Err(invalid) => {
                self.report_loss(
                    name,
                    events,
                    &format!("the fallback name `{invalid}` is not a valid log name"),
                );
                return None;
            }
        };
        let opened = match routes.files.get(fallback, Instant::now) {
            Lookup::Open(file) => return Some(file),
            Lookup::RecentlyFailed => Err(None),
            Lookup::Missing => self.open(fallback).map_err(Some),
        };
        match opened {
            Ok(file) => Some(file),
            Err(e) => {
                if let Some(e) = &e {
                    self.report_open_failure(fallback, e);
                }
                let cause = e.map_or_else(|| "it failed to open".to_owned(), |e| e.to_string());
                self.report_loss(
                    name,
                    events,
                    &format!("the fallback log cannot be opened: {cause}"),
                );
                None
            }
        }
    }

    /// Opens `name`'s file with the closure's builder and adds it to the
    /// open files, closing the least recently used beyond the bound. Out of
    /// file descriptors (EMFILE, ENFILE), it closes a quarter of the files
    /// open (the least recently used that no one is writing to), lowers the
    /// bound to what is left so that the next files do not run out again,
    /// and tries again, until it opens or no idle file is left to close.
    fn open(&self, name: &str) -> Result<Arc<RotatingFile>, Error> {
        let routes = &self.routes;
        loop {
            let bound = self
                .options
                .max_open
                .min(routes.descriptor_bound.load(Ordering::Relaxed));
            let builder = (routes.open)(name).count_filtered_in(Arc::clone(&routes.filtered));
            let error = match builder.open() {
                Ok(file) => {
                    let (file, closed) = routes.files.insert(name, file, bound);
                    routes.opened.fetch_add(1, Ordering::Relaxed);
                    routes.closed.fetch_add(closed, Ordering::Relaxed);
                    return Ok(file);
                }
                Err(e) => e,
            };
            if out_of_descriptors(&error) {
                // Room for the file wanted, and for the rotations of those
                // open, which need a descriptor more each.
                let keep = routes.files.len() * 3 / 4;
                let closed = routes.files.close_idle(keep);
                if closed > 0 {
                    routes.closed.fetch_add(closed, Ordering::Relaxed);
                    routes
                        .descriptor_bound
                        .fetch_min(keep.max(1), Ordering::Relaxed);
                    continue;
                }
            }
            routes.open_failures.fetch_add(1, Ordering::Relaxed);
            routes
                .files
                .failed(name, Instant::now(), self.options.max_open);
            return Err(error);
        }
    }

    fn report_open_failure(&self, name: &str, e: &Error) {
        if !self
            .routes
            .reported_open_failure
            .swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "concurrent-rotating-file: {e}; the events of `{name}` go to the fallback file, and opening is retried every second (further failures are counted, not printed)"
            );
        }
    }

    /// Counts `events` lost however they were named (the background
    /// thread died with them queued); the first loss is reported.
    pub(crate) fn count_lost(&self, events: u64, why: &dyn std::fmt::Display) {
        let routes = &self.routes;
        routes.lost.fetch_add(events, Ordering::Relaxed);
        if !routes.reported_loss.swap(true, Ordering::Relaxed) {
            crate::sys::stderr::print(format_args!(
                "events were lost: {why} ({events} so far; further losses are counted, not printed)"
            ));
        }
    }

    fn report_loss(&self, name: Option<&str>, events: u64, why: &str) {
        let routes = &self.routes;
        routes.lost.fetch_add(events, Ordering::Relaxed);
        if !routes.reported_loss.swap(true, Ordering::Relaxed) {
            eprintln!(
                "concurrent-rotating-file: an event for `{}` was lost: {why} (further losses are counted, not printed)",
                name.unwrap_or("the fallback")
            );
        }
    }
}

/// Whether opening failed for want of a file descriptor: the process's
/// (EMFILE) or the system's (ENFILE), anywhere along the error's causes.
fn out_of_descriptors(e: &Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = cause {
        let raw = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error);
        if matches!(raw, Some(libc::EMFILE | libc::ENFILE)) {
            return true;
        }
        cause = error.source();
    }
    false
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("naming", &self.options.naming)
            .field("fallback", &self.options.fallback)
            .field("max_open", &self.options.max_open)
            .field("stats", &self.stats())
            .finish()
    }
}
