//! Calling the user's function: the one place where its panics are caught and turned into a
//! job failure.
//!
//! The library installs nothing process-wide. A program may call [`install_panic_hook`] once at
//! start (the generated `main` and the `asdf` tool do): a user function's panic is then recorded
//! quietly with its location instead of printed by Rust's default hook, and under MPI any other
//! panic aborts every rank instead of leaving them waiting for the dead one.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// Set while a user function runs on this thread.
    static IN_USER_FN: Cell<bool> = const { Cell::new(false) };
    /// What the hook recorded of the last user-function panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the user's function; a panic becomes `Err` with its message (and location, when
/// [`install_panic_hook`] is installed).
pub(crate) fn call_user<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    IN_USER_FN.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_USER_FN.with(|c| c.set(false));
    result.map_err(|payload| {
        LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| format!("panicked: {}", panic_message(payload.as_ref())))
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".into())
}

/// Installs the job binaries' panic hook, chained to the one before it. For programs, once, at
/// start; libraries should not call it.
///
/// - A panic in a processing function (while the engine runs it) is recorded with its location
///   for the job's failure report, not printed.
/// - With `abort_mpi` (a run over several MPI ranks), any other panic prints as usual and then
///   aborts every rank, so that none waits forever for the one that died.
///
/// ```
/// asdf::engine::install_panic_hook(false);
/// ```
pub fn install_panic_hook(abort_mpi: bool) {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if IN_USER_FN.with(Cell::get) {
            let loc = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            let msg = format!("panicked: {}{loc}", panic_message(info.payload()));
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg));
            return;
        }
        prev(info);
        if abort_mpi {
            #[cfg(feature = "mpi")]
            {
                use mpi::traits::Communicator;
                mpi::topology::SimpleCommunicator::world().abort(101);
            }
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        assert_eq!(call_user(|| 3), Ok(3));
        let e = call_user(|| -> i32 { panic!("bad station {}", 7) }).unwrap_err();
        assert!(e.starts_with("panicked: bad station 7"), "{e}");
    }
}
