//! What the library asks of the operating system below `std`'s level, in
//! one place: opening files without following links (`open`), small
//! file-system helpers (`fs`), noticing `fork()` (`fork`), surviving a
//! shared mapping that someone shrinks (`sigbus`), writing to stderr
//! without a lock (`stderr`), and the lowest CPU priority for gzip
//! (`priority`).

pub(crate) mod fork;
pub(crate) mod fs;
pub(crate) mod open;
pub(crate) mod priority;
pub(crate) mod sigbus;
pub(crate) mod stderr;
