//! The memory budget: how much job memory one process may have in use at once. A worker reserves
//! a job's estimated footprint before reading its input and gives it back when the result is
//! compressed; jobs that do not fit wait, and a job larger than the whole budget runs alone.
//! Results waiting for the writer are bounded separately (two per worker thread).

use std::sync::{Condvar, Mutex};

/// Estimated bytes a job needs per input sample: the stored samples, their float64 working copy,
/// the FFT buffers of a response removal (twice the length, real and complex), the output and
/// its compressed form.
pub const BYTES_PER_SAMPLE: u64 = 48;

/// A per-process memory budget shared by the worker threads.
///
/// ```
/// use asdf::engine::MemoryBudget;
/// let budget = MemoryBudget::new(1000);
/// let a = budget.reserve(600);
/// assert_eq!(budget.in_use(), 600);
/// drop(a);
/// assert_eq!(budget.in_use(), 0);
/// ```
#[derive(Debug)]
pub struct MemoryBudget {
    limit: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// Bytes held from a [`MemoryBudget`] until dropped.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a MemoryBudget,
    bytes: u64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes (at least 1).
    pub fn new(limit: u64) -> Self {
        MemoryBudget { limit: limit.max(1), used: Mutex::new(0), freed: Condvar::new() }
    }

    /// The default when none is given: half the memory available when the run starts, shared by
    /// the ranks of a node; unlimited where the system does not say (non-Linux).
    pub fn default_for(ranks_per_node: usize) -> Option<u64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let kib: u64 = info.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kib * 1024 / 2 / ranks_per_node.max(1) as u64)
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes reserved right now.
    pub fn in_use(&self) -> u64 {
        self.used.lock().map(|u| *u).unwrap_or(0)
    }

    /// Waits until `bytes` fit next to what is reserved, then reserves them. A request larger
    /// than the whole budget waits until nothing else is reserved.
    pub fn reserve(&self, bytes: u64) -> Reservation<'_> {
        let want = bytes.min(self.limit);
        let Ok(mut used) = self.used.lock() else {
            // A worker panicked while holding the lock: carry on without a budget.
            return Reservation { budget: self, bytes: 0 };
        };
        while *used + want > self.limit {
            used = match self.freed.wait(used) {
                Ok(u) => u,
                Err(_) => return Reservation { budget: self, bytes: 0 },
            };
        }
        *used += want;
        Reservation { budget: self, bytes: want }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.bytes == 0 {
            return;
        }
        if let Ok(mut used) = self.budget.used.lock() {
            *used -= self.bytes;
        }
        self.budget.freed.notify_all();
    }
}

/// Parses a size such as `512M`, `4G`, `1.5G` or a plain number of bytes (binary units).
///
/// ```
/// assert_eq!(asdf::engine::parse_size("4G"), Ok(4 << 30));
/// assert_eq!(asdf::engine::parse_size("512m"), Ok(512 << 20));
/// assert!(asdf::engine::parse_size("lots").is_err());
/// ```
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use K, M, G or T)")),
    };
    let v: f64 = num.trim().parse().map_err(|_| format!("{s:?}: expected a size such as 512M or 4G"))?;
    if !(v > 0.0 && v.is_finite()) {
        return Err(format!("{s:?}: the size must be positive"));
    }
    Ok((v * scale as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn reservations_never_exceed_the_limit_and_oversized_jobs_run_alone() {
        let budget = MemoryBudget::new(100);
        let peak = AtomicU64::new(0);
        std::thread::scope(|s| {
            for i in 0..8u64 {
                let (budget, peak) = (&budget, &peak);
                s.spawn(move || {
                    let r = budget.reserve(if i == 3 { 500 } else { 30 + i });
                    peak.fetch_max(budget.in_use(), Ordering::SeqCst);
                    if i == 3 {
                        assert_eq!(budget.in_use(), 100, "the oversized job holds everything");
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    drop(r);
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 100);
        assert_eq!(budget.in_use(), 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("3X").is_err());
    }
}
