//! Progress reporting on rank 0: a live line on a terminal, periodic plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Reports `done / total` jobs with rate and ETA.
pub(crate) struct Progress {
    total: usize,
    done: usize,
    start: Instant,
    last: Instant,
    tty: bool,
    quiet: bool,
    what: &'static str,
}

impl Progress {
    pub(crate) fn new(total: usize, quiet: bool, what: &'static str) -> Self {
        let now = Instant::now();
        Progress { total, done: 0, start: now, last: now, tty: std::io::stderr().is_terminal(), quiet, what }
    }

    pub(crate) fn tick(&mut self) {
        self.done += 1;
        if self.quiet {
            return;
        }
        let every = if self.tty { Duration::from_millis(200) } else { Duration::from_secs(5) };
        if self.last.elapsed() >= every || self.done == self.total {
            self.last = Instant::now();
            let secs = self.start.elapsed().as_secs_f64().max(1e-9);
            let rate = self.done as f64 / secs;
            let eta = if rate > 0.0 { (self.total - self.done) as f64 / rate } else { 0.0 };
            let line = format!("{}/{} {} ({:.1}/s, ETA {:.0} s)", self.done, self.total, self.what, rate, eta);
            let mut e = std::io::stderr();
            if self.tty {
                let _ = write!(e, "\r{line}   ");
                if self.done == self.total {
                    let _ = writeln!(e);
                }
            } else {
                let _ = writeln!(e, "{line}");
            }
        }
    }
}
