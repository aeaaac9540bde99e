//! Samples kept in a file's encoding until they are first asked for.
//!
//! A reader (for ASDF files, [`StationGroup::stream`](crate::StationGroup::stream)) may give a
//! [`Trace`](super::trace::Trace) its samples still compressed: a trace a processing function
//! passes through untouched is then written back without being decoded. The model only needs
//! what this trait offers; how the samples are stored is the reader's business.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::trace::Samples;

/// Samples as a reader stored them, decoded on demand.
///
/// ```
/// use std::sync::Arc;
/// use asdf::model::stored::{StoredSamples, UndecodableSamples};
/// use asdf::{Samples, Stats, Trace, UtcTime};
///
/// /// Samples "stored" as text, one number per line.
/// #[derive(Debug)]
/// struct Text(String);
///
/// impl StoredSamples for Text {
///     fn npts(&self) -> usize { self.0.lines().count() }
///     fn dtype(&self) -> &'static str { "i4" }
///     fn decode(&self) -> Result<Samples, UndecodableSamples> {
///         let v: Result<Vec<i32>, _> = self.0.lines().map(str::parse).collect();
///         v.map(Samples::I32).map_err(UndecodableSamples::new)
///     }
///     fn damage(&self) -> Option<UndecodableSamples> { None }
///     fn into_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> { self }
/// }
///
/// let stats = Stats::new("XX.A..HHZ", UtcTime::from_ns(0), 1.0);
/// let tr = Trace::from_stored(stats, Arc::new(Text("1\n2\n3".into())), None, Default::default());
/// assert_eq!(tr.npts(), 3);
/// assert_eq!(tr.data(), &Samples::I32(vec![1, 2, 3]));
/// ```
pub trait StoredSamples: fmt::Debug + Send + Sync + 'static {
    /// Number of samples (known without decoding them).
    fn npts(&self) -> usize;

    /// numpy's name of the sample type, as [`Samples::dtype`] will give once decoded.
    fn dtype(&self) -> &'static str;

    /// The samples, decoded in native byte order. A failure should also be remembered and
    /// returned by [`StoredSamples::damage`] from then on.
    fn decode(&self) -> Result<Samples, UndecodableSamples>;

    /// Why decoding failed, once it has been tried and failed.
    fn damage(&self) -> Option<UndecodableSamples>;

    /// `self` as [`Any`], so that the reader that made these samples can recognise its own
    /// (for example to write them back as they are): `fn into_any(self: Arc<Self>) -> ... { self }`.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

/// Why stored samples could not be decoded: the reader's own error (for an ASDF file a
/// `FormatError` naming the file and the dataset), kept with its type.
///
/// ```
/// use asdf::model::stored::UndecodableSamples;
/// let e = UndecodableSamples::new(std::io::Error::other("chunk 3 is corrupt"));
/// assert_eq!(e.to_string(), "chunk 3 is corrupt");
/// assert!(e.downcast_ref::<std::io::Error>().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct UndecodableSamples(Arc<dyn std::error::Error + Send + Sync>);

impl UndecodableSamples {
    /// Wraps the reader's error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        UndecodableSamples(Arc::new(error))
    }

    /// The reader's error, if it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }
}

impl fmt::Display for UndecodableSamples {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for UndecodableSamples {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
