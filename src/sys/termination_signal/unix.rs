//! SIGTERM and SIGINT, through `sigaction(2)`.
//!
//! A signal handler may do next to nothing (no lock, no allocation), so
//! ours writes the signal's number into a pipe; a thread waiting on the
//! pipe does the work, then restores the default action and raises the
//! signal again. std has no signal handling; signal-hook's registry would
//! share one handler between us and a service's own (tokio's), hiding
//! whether the service took the signal over, which this module must know.
//!
//! - Installed only where the disposition is the default: a signal the
//!   process was started ignoring (`nohup`, a shell's background job)
//!   stays ignored, and one the program handles itself stays its own.
//! - A handler installed over ours later takes the signal over: tokio's
//!   and signal-hook's call ours after theirs, and the thread, seeing ours
//!   no longer installed, does nothing; the service's own shutdown runs.
//! - A second signal while the work runs (an impatient Ctrl-C) ends the
//!   process at once, by the default action.
//! - A child after `fork()` inherits the handler but not the thread: there
//!   the handler does what the default would, unless the child asked for
//!   the work itself.

use std::io::{self, Read};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, PoisonError};

use libc::c_int;

/// The signals a service is stopped with.
const SIGNALS: [c_int; 2] = [libc::SIGTERM, libc::SIGINT];

/// The pipe's write end, which the handler writes the signal's number to.
static WAKE: AtomicI32 = AtomicI32::new(-1);
/// The process whose thread reads the pipe; 0: none.
static OWNER: AtomicI32 = AtomicI32::new(0);
/// The work has begun: a further signal ends the process at once.
static WORKING: AtomicBool = AtomicBool::new(false);
/// Held while setting up, so that two calls at once set up once.
static SETUP: Mutex<()> = Mutex::new(());

/// From now on, SIGTERM and SIGINT (where their disposition is the
/// default) run `work` on a thread, then end the process with the same
/// signal. Calling it again does nothing, except in a child after
/// `fork()`, which gets a thread of its own.
pub(super) fn on_termination(work: fn()) -> io::Result<()> {
    let _setup = SETUP.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: getpid cannot fail and touches no memory.
    let pid = unsafe { libc::getpid() };
    if OWNER.load(Ordering::SeqCst) == pid {
        return Ok(());
    }
    let (reader, writer) = io::pipe()?;
    // A full pipe must never block the handler: a byte in it already
    // wakes the thread.
    set_nonblocking(writer.as_raw_fd())?;
    std::thread::Builder::new()
        .name("crf-termination".into())
        .spawn(move || watch(reader, work))?;
    // Kept open for the process's life: the handler may write at any time.
    WAKE.store(writer.into_raw_fd(), Ordering::SeqCst);
    OWNER.store(pid, Ordering::SeqCst);
    for signal in SIGNALS {
        install_if_default(signal)?;
    }
    Ok(())
}

/// The thread: waits for a signal's number, then, unless a handler
/// installed since took the signal over, does the work and dies of it.
fn watch(mut reader: io::PipeReader, work: fn()) {
    let mut byte = [0u8];
    loop {
        match reader.read(&mut byte) {
            Ok(1) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // The write end is never closed; nothing else can happen.
            _ => return,
        }
        let signal = c_int::from(byte[0]);
        if !ours_installed(signal) {
            continue;
        }
        WORKING.store(true, Ordering::SeqCst);
        work();
        die_by_default(signal, false);
    }
}

extern "C" fn on_signal(signal: c_int) {
    let saved = errno::errno();
    // SAFETY: getpid is async-signal-safe.
    let owner = unsafe { libc::getpid() } == OWNER.load(Ordering::SeqCst);
    if WORKING.load(Ordering::SeqCst) || !owner {
        // A second signal, or a child after fork() without the thread:
        // what the default action does.
        die_by_default(signal, true);
    } else {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; the descriptor is the
        // pipe's write end, open for the process's life, and `byte` lives
        // across the call. Should the pipe be full, a byte is in it
        // already, which wakes the thread just as well.
        unsafe { libc::write(WAKE.load(Ordering::SeqCst), (&raw const byte).cast(), 1) };
    }
    errno::set_errno(saved);
}

/// Restores `signal`'s default action and raises it: the process ends as
/// if the handler had never been installed. Async-signal-safe, for the
/// handler (where the signal stays blocked until it returns, and is then
/// delivered) as for the thread (which unblocks it first).
fn die_by_default(signal: c_int, in_handler: bool) {
    // SAFETY: sigaction, sigemptyset, sigaddset, pthread_sigmask, raise and
    // _exit are async-signal-safe and given valid pointers to locals; a
    // zeroed sigaction with SIG_DFL is valid.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = libc::SIG_DFL;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut());
        libc::raise(signal);
        if in_handler {
            return;
        }
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        // Still alive: someone installed another action meanwhile. Exit as
        // a shell reports a death by this signal.
        libc::_exit(128 + signal);
    }
}

/// Installs the handler for `signal` if its disposition is the default.
fn install_if_default(signal: c_int) -> io::Result<()> {
    let current = disposition(signal)?;
    if current != libc::SIG_DFL {
        return Ok(());
    }
    // SAFETY: a zeroed sigaction is valid; the handler only makes
    // async-signal-safe calls. SA_RESTART: the program's system calls go
    // on as if no signal had come.
    let rc = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut())
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether our handler is still the one installed for `signal`.
fn ours_installed(signal: c_int) -> bool {
    disposition(signal)
        .is_ok_and(|current| current == on_signal as extern "C" fn(c_int) as libc::sighandler_t)
}

/// The handler (or `SIG_DFL`, `SIG_IGN`) installed for `signal`.
fn disposition(signal: c_int) -> io::Result<libc::sighandler_t> {
    // SAFETY: sigaction with a null new action only reads the current one
    // into a valid, zeroed struct.
    let (rc, current) = unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        let rc = libc::sigaction(signal, std::ptr::null(), &mut current);
        (rc, current)
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(current.sa_sigaction)
}

fn set_nonblocking(fd: c_int) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor this function's caller owns.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
