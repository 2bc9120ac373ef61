//! [`RouterGuard`]: what stops the router's background thread, once it has
//! written everything queued.

use crate::non_blocking::guard::Stopper;
use crate::router::handle::Router;

/// Stops a [`NonBlockingRouter`](crate::NonBlockingRouter)'s thread when
/// dropped, after it has written everything queued to its files. Hold it in
/// `main` for as long as the program logs, as tracing-appender's
/// `WorkerGuard`:
///
/// ```
/// # use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
/// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
/// let (writer, _guard) = router.non_blocking(); // `_guard`, not `_`: `_` drops at once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Handles still alive afterwards write synchronously.
#[must_use = "dropping the guard stops the background thread"]
pub struct RouterGuard {
    stopper: Stopper<Router>,
}

impl RouterGuard {
    pub(crate) fn new(stopper: Stopper<Router>) -> RouterGuard {
        RouterGuard { stopper }
    }
}

impl Drop for RouterGuard {
    fn drop(&mut self) {
        self.stopper.stop();
    }
}

impl std::fmt::Debug for RouterGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterGuard")
            .field("running", &self.stopper.running())
            .finish()
    }
}
