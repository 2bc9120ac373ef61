//! The files of a restart-proof log as a chain: `app.000001.log`,
//! `app.000002.log`, ... (the number before the extension, six digits at
//! least), read in number order, the highest the live file and `app.log` a
//! second name of it; and what the directory may not hold: a gap in the
//! numbers, a number both plain and gzipped, more backups than allowed, a
//! gzipped live file, a stable name that is not the live file, anything
//! else at all.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::OWN_DIR;
use super::chain::{Chain, ChainFile, check_own_dir, dir_and_name, list_dir};

/// Lists the files of the restart-proof log `log`, holding it to at most
/// `allowed` backups (files before the live one), all gzipped if
/// `all_gzipped`.
pub(crate) fn list(log: &Path, allowed: usize, all_gzipped: bool) -> io::Result<Chain> {
    let (dir, name) = dir_and_name(log);
    let mut chain = Chain::default();
    check_own_dir(dir, &name, &mut chain.problems)?;
    // number -> (path, gzipped)
    let mut files: BTreeMap<u64, (PathBuf, bool)> = BTreeMap::new();
    for entry in list_dir(dir)? {
        let entry_name = entry?.file_name().to_string_lossy().into_owned();
        if entry_name == name || entry_name == OWN_DIR {
            continue;
        }
        match number_of(&name, &entry_name) {
            Some((n, gz)) => {
                if files.insert(n, (dir.join(&entry_name), gz)).is_some() {
                    chain
                        .problems
                        .push(format!("file {n} exists both plain and gzipped"));
                }
            }
            None => chain.problems.push(format!(
                "unexpected file {}",
                dir.join(&entry_name).display()
            )),
        }
    }
    let numbers: Vec<u64> = files.keys().copied().collect();
    if numbers.windows(2).any(|w| w[1] != w[0] + 1) {
        chain
            .problems
            .push(format!("gap in the file numbers: {numbers:?}"));
    }
    let Some(&live) = numbers.last() else {
        if std::fs::symlink_metadata(log).is_ok() {
            chain.problems.push(format!(
                "{} exists without any numbered file",
                log.display()
            ));
        }
        return Ok(chain);
    };
    chain.backups = numbers.len() - 1;
    if chain.backups > allowed {
        chain.problems.push(format!(
            "{} backups, more than the {allowed} allowed",
            chain.backups
        ));
    }
    let (live_path, live_gz) = &files[&live];
    if *live_gz {
        chain
            .problems
            .push(format!("the live file {} is gzipped", live_path.display()));
    }
    let same = std::fs::symlink_metadata(log).is_ok_and(|stable| stable.is_file())
        && same_file::is_same_file(log, live_path).unwrap_or(false);
    match same {
        true => {}
        false => chain.problems.push(format!(
            "{} is not a name of the live file {}",
            log.display(),
            live_path.display()
        )),
    }
    chain.gzipped = files.values().filter(|(_, gz)| *gz).count();
    if all_gzipped && chain.gzipped < chain.backups {
        chain.problems.push(format!(
            "{} of {} backups left plain",
            chain.backups - chain.gzipped,
            chain.backups
        ));
    }
    for (n, (path, _)) in files {
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        chain.files.push(ChainFile {
            path,
            backup: n != live,
            size,
        });
    }
    Ok(chain)
}

/// The number of the restart-proof file `file` of the log named `log`
/// (`app.log`: `app.000123.log`), and whether it is gzipped.
fn number_of(log: &str, file: &str) -> Option<(u64, bool)> {
    let (stem, extension) = match log.rfind('.') {
        Some(dot) if dot > 0 => log.split_at(dot),
        _ => (log, ""),
    };
    let rest = file.strip_prefix(stem)?.strip_prefix('.')?;
    let (rest, gz) = match rest.strip_suffix(".gz") {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    let digits = rest.strip_suffix(extension)?;
    let canonical = digits.len() >= 6
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 6 || !digits.starts_with('0'));
    let n: u64 = digits.parse().ok()?;
    (canonical && n >= 1).then_some((n, gz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_the_library_writes_them() {
        assert_eq!(number_of("app.log", "app.000012.log"), Some((12, false)));
        assert_eq!(number_of("app.log", "app.000012.log.gz"), Some((12, true)));
        assert_eq!(
            number_of("app.log", "app.1000000.log"),
            Some((1_000_000, false))
        );
        assert_eq!(number_of("app", "app.000003"), Some((3, false)));
        for other in [
            "app.log",
            "app.log.1",
            "app.12.log",
            "app.0000012.log",
            "b.000001.log",
        ] {
            assert_eq!(number_of("app.log", other), None, "{other}");
        }
    }
}
