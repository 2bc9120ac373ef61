//! A [`Router`] as the destination of a background writer: one thread for
//! all the names, which sorts what it takes by name and appends each
//! name's records with one lock and one `write(2)`, however many names
//! there are.

use std::io;
use std::time::Instant;

use crate::non_blocking::batch::Batch;
use crate::non_blocking::destination::Destination;
use crate::router::handle::Router;
use crate::router::name::LogName;
use crate::writer::append::AppendError;
use crate::writer::records::Records;

impl Destination for Router {
    type Key = LogName;

    const THREAD_NAME: &'static str = "crf-router";

    /// To the name's file, or the fallback's (counted); if even that
    /// cannot be opened, the records are counted as lost by the router.
    fn write(&self, name: &LogName, batch: &Batch) {
        if let Some(file) = self.file_for(name, batch.records() as u64) {
            batch.write(file.open_log());
        }
    }

    /// Failures are counted and reported, as on every router path.
    fn write_directly(
        &self,
        name: &LogName,
        bytes: &[u8],
        _: Records<'_>,
    ) -> Result<(), AppendError> {
        self.append_or_report(name, bytes);
        Ok(())
    }

    fn lost(&self, error: &io::Error, records: u64) {
        self.count_lost(records, error);
    }

    fn describe(&self) -> String {
        "the router's files".into()
    }

    fn wait_for_compressions(&self, deadline: Option<Instant>) {
        Router::wait_for_compressions(self, deadline);
    }
}
