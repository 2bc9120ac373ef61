//! A process group of the writer's own, which Ctrl-C does not reach, and
//! a job object that ends every writer when the run's handle to it is
//! closed: at the run's exit, whatever ends it.

use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject,
};
use windows_sys::Win32::System::Threading::CREATE_NEW_PROCESS_GROUP;

pub(super) fn bind_to_run(command: &mut Command) {
    command.creation_flags(CREATE_NEW_PROCESS_GROUP);
}

/// The run's job: its handle is never closed but by the run's exit.
struct Job(HANDLE);

// SAFETY: a job handle may be used from any thread.
unsafe impl Send for Job {}
// SAFETY: as above; the handle is only read.
unsafe impl Sync for Job {}

/// The job every writer joins, made once; `None` if the system refuses.
fn job() -> Option<&'static Job> {
    static JOB: OnceLock<Option<Job>> = OnceLock::new();
    JOB.get_or_init(|| {
        // SAFETY: creates an unnamed job whose handle is kept for the
        // process's life, and sets its limits from a zeroed, then filled,
        // struct of the size given. std has no job objects.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let set = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                (&raw const limits).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            (set != 0).then_some(Job(job))
        }
    })
    .as_ref()
}

pub(super) fn tie_to_run(child: &Child) {
    if let Some(job) = job() {
        // SAFETY: both handles are open (the child's is std's); a failure
        // only leaves the writer outside the job.
        let _ = unsafe { AssignProcessToJobObject(job.0, child.as_raw_handle()) };
    }
}

/// `Child::kill` is `TerminateProcess` with exit code 1.
pub(super) fn killed_by_run(status: ExitStatus) -> bool {
    status.code() == Some(1)
}
