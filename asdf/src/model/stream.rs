//! `Stream`: a list of traces, as in ObsPy.

use super::trace::Trace;

/// An ordered list of [`Trace`]s. Processing methods (detrend, filters, `remove_response`, ...)
/// apply to every trace; see [`crate::signal`].
///
/// ```
/// use asdf::{Stream, Trace, UtcTime};
/// let t0 = UtcTime::from_ns(0);
/// let st: Stream = ["XX.A..HHZ", "XX.A..HHN"].iter().map(|id| Trace::new(id, t0, 1.0, vec![1i32, 2, 3])).collect();
/// assert_eq!(st.len(), 2);
/// assert_eq!(st.select("*Z").len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stream {
    /// The traces, in order.
    pub traces: Vec<Trace>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Self {
        Stream::default()
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// True when the stream holds no trace.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    /// Appends a trace.
    pub fn push(&mut self, tr: Trace) {
        self.traces.push(tr);
    }

    /// Iterates over the traces.
    pub fn iter(&self) -> std::slice::Iter<'_, Trace> {
        self.traces.iter()
    }

    /// Iterates mutably over the traces.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Trace> {
        self.traces.iter_mut()
    }

    /// The traces whose channel code matches `channel` (wildcards `*` and `?`), as copies.
    pub fn select(&self, channel: &str) -> Stream {
        self.traces.iter().filter(|t| wildcard_match(channel, &t.stats.channel)).cloned().collect()
    }

    /// Keeps only the traces for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Trace) -> bool) {
        self.traces.retain(keep);
    }

    /// Sorts by id then starttime, ObsPy's default `sort()` order.
    pub fn sort(&mut self) {
        self.traces.sort_by(|a, b| a.id().cmp(&b.id()).then(a.stats.starttime.cmp(&b.stats.starttime)));
    }
}

impl FromIterator<Trace> for Stream {
    fn from_iter<I: IntoIterator<Item = Trace>>(iter: I) -> Self {
        Stream { traces: iter.into_iter().collect() }
    }
}

impl IntoIterator for Stream {
    type Item = Trace;
    type IntoIter = std::vec::IntoIter<Trace>;
    fn into_iter(self) -> Self::IntoIter {
        self.traces.into_iter()
    }
}

impl<'a> IntoIterator for &'a Stream {
    type Item = &'a Trace;
    type IntoIter = std::slice::Iter<'a, Trace>;
    fn into_iter(self) -> Self::IntoIter {
        self.traces.iter()
    }
}

impl std::ops::Index<usize> for Stream {
    type Output = Trace;
    fn index(&self, i: usize) -> &Trace {
        &self.traces[i]
    }
}

impl std::ops::IndexMut<usize> for Stream {
    fn index_mut(&mut self, i: usize) -> &mut Trace {
        &mut self.traces[i]
    }
}

/// Shell-style match with `*` (any run) and `?` (one character), as ObsPy's `fnmatch` use.
///
/// ```
/// assert!(asdf::wildcard_match("B?Z", "BHZ"));
/// assert!(asdf::wildcard_match("*", ""));
/// assert!(!asdf::wildcard_match("*N", "HHZ"));
/// ```
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}
