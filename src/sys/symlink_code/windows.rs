//! "The create operation stopped after reaching a symbolic link."

pub(super) const SYMLINK_REFUSED: i32 =
    windows_sys::Win32::Foundation::ERROR_STOPPED_ON_SYMLINK as i32;
