//! What the library asks of the operating system below `std`'s level, in
//! one place: opening files without following links (`open`), reaching
//! files through a directory descriptor (`dir`), files with no name until
//! they are complete (`anonymous`), creating
//! files and directories that appear with their final mode and group
//! (`create`), taking a file's blocks before it is mapped (`allocate`), a
//! monotonic clock cheap enough to read per record (`coarse_clock`), small
//! file-system helpers (`fs`), a file another program pins against
//! renaming (`pinned`), work at the process's exit (`exit_hook`),
//! processes and groups (`process`), noticing `fork()` (`fork`), knowing
//! whether another process has the log open (`presence`), who holds an
//! `flock` (`flock_holder`), surviving a shared mapping that someone
//! shrinks (`sigbus`), writing to stderr without a lock (`stderr`), the
//! lowest CPU priority for gzip (`priority`), work done on SIGTERM and
//! SIGINT before dying of them (`termination_signal`), and work the exit
//! must not cut in two (`exit_gate`).
//!
//! A mechanism that systems offer in different ways has a module of its
//! own whose functions the code above calls, and an implementation per
//! way beside it, chosen by `cfg` at the top of that module and nowhere
//! else: `unix.rs` for what any Unix does, `linux.rs` or `macos.rs` where
//! that system offers more or otherwise. The code above `sys/` never
//! names a system. What each system keeps of the guarantees is in
//! `docs/platforms.md`.

pub(crate) mod allocate;
pub(crate) mod anonymous;
pub(crate) mod coarse_clock;
pub(crate) mod create;
pub(crate) mod dir;
pub(crate) mod exit_gate;
pub(crate) mod exit_hook;
pub(crate) mod file_lock;
pub(crate) mod flock_holder;
pub(crate) mod fork;
pub(crate) mod fs;
pub(crate) mod open;
pub(crate) mod os_str;
pub(crate) mod pinned;
pub(crate) mod presence;
pub(crate) mod priority;
pub(crate) mod process;
pub(crate) mod sigbus;
pub(crate) mod stderr;
pub(crate) mod symlink_code;
pub(crate) mod termination_signal;
pub(crate) mod thread_ident;
