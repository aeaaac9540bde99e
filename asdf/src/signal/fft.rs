//! FFT plans shared by every trace and thread: planning a transform of an hour of data costs
//! more than running it, so each length is planned once per process.

use std::sync::{Arc, Mutex, OnceLock};

use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

fn planner() -> &'static Mutex<RealFftPlanner<f64>> {
    static PLANNER: OnceLock<Mutex<RealFftPlanner<f64>>> = OnceLock::new();
    PLANNER.get_or_init(|| Mutex::new(RealFftPlanner::new()))
}

/// The real-to-complex transform of length `n` (unnormalised, as numpy's `rfft`).
pub(crate) fn forward(n: usize) -> Arc<dyn RealToComplex<f64>> {
    match planner().lock() {
        Ok(mut p) => p.plan_fft_forward(n),
        // A panic elsewhere while planning poisons the lock; plan afresh rather than fail.
        Err(_) => RealFftPlanner::new().plan_fft_forward(n),
    }
}

/// The complex-to-real transform of length `n` (unnormalised: divide by `n` for numpy's `irfft`).
pub(crate) fn inverse(n: usize) -> Arc<dyn ComplexToReal<f64>> {
    match planner().lock() {
        Ok(mut p) => p.plan_fft_inverse(n),
        Err(_) => RealFftPlanner::new().plan_fft_inverse(n),
    }
}

/// Buffers one thread reuses across transforms: fresh multi-megabyte allocations per trace cost
/// more in page faults than the arithmetic saved elsewhere.
#[derive(Default)]
pub(crate) struct Workspace {
    pub(crate) real: Vec<f64>,
    pub(crate) spectrum: Vec<realfft::num_complex::Complex<f64>>,
    pub(crate) scratch: Vec<realfft::num_complex::Complex<f64>>,
}

/// Buffers above this many bytes are released after use rather than kept for the next trace.
const KEEP_BYTES: usize = 64 << 20;

thread_local! {
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::new(Workspace::default());
}

/// Runs `f` with this thread's workspace.
pub(crate) fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    WORKSPACE.with(|cell| {
        let mut ws = cell.borrow_mut();
        let r = f(&mut ws);
        let bytes = ws.real.capacity() * 8 + (ws.spectrum.capacity() + ws.scratch.capacity()) * 16;
        if bytes > KEEP_BYTES {
            *ws = Workspace::default();
        }
        r
    })
}
