//! What the library asks of the operating system below `std`'s level, in
//! one place: opening files without following links (`open`), creating
//! files and directories that appear with their final mode and group
//! (`create`), a monotonic clock cheap enough to read per record
//! (`coarse_clock`), small file-system helpers (`fs`), work at the process's
//! exit (`exit_hook`), processes and groups
//! (`process`), noticing `fork()` (`fork`), knowing whether another
//! process has the log open (`presence`), surviving a shared mapping that
//! someone shrinks (`sigbus`), writing to stderr without a lock
//! (`stderr`), the lowest CPU priority for gzip (`priority`), and work
//! done on SIGTERM and SIGINT before dying of them (`termination_signal`).

pub(crate) mod coarse_clock;
pub(crate) mod create;
pub(crate) mod exit_hook;
pub(crate) mod fork;
pub(crate) mod fs;
pub(crate) mod open;
pub(crate) mod presence;
pub(crate) mod priority;
pub(crate) mod process;
pub(crate) mod sigbus;
pub(crate) mod stderr;
pub(crate) mod termination_signal;
