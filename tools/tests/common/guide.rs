//! The follower configurations of the shipping guide (`docs/shipping.md`),
//! as the tests run them: each is the block after a line
//! `<!-- tested as: NAME -->` in the guide, read at build time, so that
//! the tests run what the guide says and a change to either shows in the
//! other.
//!
//! The guide's paths are a deployment's (`/var/log/myapp/app.log`, ...);
//! [`localize`] puts a test's own directories in their place, and fails if
//! any path under `/var/` would be left (a test never touches the
//! system's files).

use std::path::Path;

/// The shipping guide.
const GUIDE: &str = include_str!("../../../docs/shipping.md");

/// The log's directory in the guide's configurations.
pub const LOG_DIR: &str = "/var/log/myapp";
/// Where the guide's configurations ship to.
pub const SHIPPED: &str = "/var/log/shipped/myapp.log";
/// rsyslog's work directory (its state) in the guide.
pub const RSYSLOG_STATE: &str = "/var/spool/rsyslog";

/// The block of the guide marked `<!-- tested as: name -->`: the fenced
/// code block right after the marker, without its fences.
pub fn config(name: &str) -> String {
    let marker = format!("<!-- tested as: {name} -->");
    let mut found = GUIDE.match_indices(&marker);
    let (at, _) = found
        .next()
        .unwrap_or_else(|| panic!("docs/shipping.md has no `{marker}`"));
    assert!(
        found.next().is_none(),
        "docs/shipping.md has `{marker}` twice"
    );
    let mut lines = GUIDE[at + marker.len()..].lines().skip(1);
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "docs/shipping.md: `{marker}` must be followed by a fenced block, not `{fence}`"
    );
    let mut block = String::new();
    for line in lines {
        if line.starts_with("```") {
            return block;
        }
        block.push_str(line);
        block.push('\n');
    }
    panic!("docs/shipping.md: the block after `{marker}` never ends");
}

/// Fails unless the guide's `text` holds `what`, which a test relies on:
/// a change to the guide that removes it fails the test loudly.
pub fn holds(text: &str, what: &str) {
    assert!(
        text.contains(what),
        "the guide's configuration no longer holds `{what}`:\n{text}"
    );
}

/// `text` with `from` replaced by `to`; `from` must be there (see
/// [`holds`]).
pub fn replace(text: &str, from: &str, to: &str) -> String {
    holds(text, from);
    text.replace(from, to)
}

/// The guide's `text` with the test's own places: the log's directory,
/// the output, and `state` for the follower's state. No path under
/// `/var/` may be left.
pub fn localize(text: &str, log_dir: &Path, output: &Path, state: &Path) -> String {
    let text = text
        .replace(LOG_DIR, &log_dir.display().to_string())
        .replace(SHIPPED, &output.display().to_string())
        .replace(RSYSLOG_STATE, &state.display().to_string());
    assert!(
        !text.contains("/var/"),
        "a path of the guide's configuration has no place in the test:\n{text}"
    );
    text
}
