//! What the library asks of the operating system below `std`'s level, in
//! one place: opening files without following links, small file-system
//! helpers, and noticing `fork()`.

pub(crate) mod fork;
pub(crate) mod fs;
pub(crate) mod open;
