//! `flock(2)`, through std: the whole file, whatever the span; advisory,
//! so readers are never stopped.

use std::fs::{File, TryLockError};
use std::io;

use super::Span;

pub(super) fn lock(file: &File, _: Span) -> io::Result<()> {
    loop {
        match file.lock() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

pub(super) fn try_lock(file: &File, _: Span) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

pub(super) fn unlock(file: &File, _: Span) -> io::Result<()> {
    file.unlock()
}
