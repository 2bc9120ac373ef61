//! Nothing to install: Windows refuses to shrink a file any process has
//! mapped (`SetEndOfFile` fails with `ERROR_USER_MAPPED_FILE`), so the
//! mapping never reaches past the file's end.

/// Whether a handler is in place: none is needed.
pub(super) fn install() -> bool {
    false
}
