//! The chain of backups: how a rotation turns the live file into a backup,
//! under the lock, with renames only (restart-proof: not even those).
//!
//! Three naming schemes share one interface, [`Backups`]: numbered backups
//! (`app.log.1` newest, shifted up at each rotation; [`numbered`]),
//! backups named after the period of their records (`app.log.2026-11-24`,
//! never renamed once named; [`timed`]), and restart-proof files
//! (`app.000123.log`, each rotation starting the next number, none ever
//! renamed; [`sequence`]). Which backups are kept is
//! [`retention`]'s business; what killed processes leave behind is
//! [`leftovers`]'s. A rotation returns what is [`Pending`]: backups to
//! delete and backups to compress once the lock is released, and, for a
//! long numbered chain, the shift itself ([`Shift`]).

mod backups;
mod leftovers;
mod numbered;
mod pending;
mod provenance;
pub(crate) mod retention;
mod sequence;
mod timed;

pub(crate) use backups::Backups;
pub(crate) use pending::{Pending, Shift};
pub(crate) use provenance::comment as gzip_comment;
