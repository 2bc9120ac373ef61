//! `/proc/locks`, one line per lock: `1: FLOCK  ADVISORY  WRITE 1234
//! 08:01:5678 0 EOF`.

pub(super) fn holder_pid((dev, ino): (u64, u64)) -> Option<u32> {
    let wanted = format!(
        "{:02x}:{:02x}:{ino}",
        libc::major(dev as libc::dev_t),
        libc::minor(dev as libc::dev_t)
    );
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let flock = fields.get(1) == Some(&"FLOCK") && fields.get(3) == Some(&"WRITE");
        (flock && fields.get(5) == Some(&wanted.as_str())).then(|| fields.get(4)?.parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn the_holder_of_an_flock_is_read_from_proc_locks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.lock");
        let file = std::fs::File::create(&path).unwrap();
        let meta = file.metadata().unwrap();
        let id = (meta.dev(), meta.ino());
        assert_eq!(holder_pid(id), None, "no one holds it yet");
        file.lock().unwrap();
        assert_eq!(holder_pid(id), Some(std::process::id()));
        file.unlock().unwrap();
        assert_eq!(holder_pid(id), None);
    }
}
