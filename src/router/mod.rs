//! [`Router`]: one rotating file per name (`logs/web.log`,
//! `logs/db.log`), chosen per event, opened on first use, at most a bound
//! of them open; and [`NonBlockingRouter`], the same behind one background
//! thread for all the names.
//!
//! In the order an event travels: its [`name`] is taken from its target (or
//! a field) and checked, so that no event can name a path outside the log
//! directory; the [`handle`] looks the name up in the [`cache`] of open
//! files, opening it with the user's closure on first use (an invalid name,
//! or a file that cannot open, goes to the fallback name's file); the event
//! is then appended to that file like any `RotatingFile` record. Through
//! the background writer, the event is queued with its name ([`queue`]) in
//! the single file's machinery (`non_blocking/`), whose thread sorts what
//! it takes by name into one batch per file ([`destination`]). The glue to
//! `tracing` and `log` is in `integrations/`.

pub(crate) mod builder;
pub(crate) mod cache;
pub(crate) mod destination;
pub(crate) mod guard;
pub(crate) mod handle;
pub(crate) mod name;
pub(crate) mod queue;
pub(crate) mod stats;
