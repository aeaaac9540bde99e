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
