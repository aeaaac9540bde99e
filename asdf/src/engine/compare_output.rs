//! What a comparison function may return: any serialisable value, or a `Result` of one whose
//! error is reported as the station's failure. Told apart by the traits below, not by the
//! type's name (so `type Outcome = Result<f64, MyError>` and `anyhow::Result<f64>` work too).
//!
//! The generated `main` wraps the function's value and calls `into_compare_result()` on a
//! double reference to it: method resolution tries [`FallibleReturn`] (implemented on
//! `&&CompareReturn<Result<T, E>>`) before it dereferences once to [`PlainReturn`]
//! (on `&CompareReturn<T>`, any `T`), so a `Result` is passed through and anything else is
//! wrapped in `Ok`.

use std::cell::Cell;
use std::convert::Infallible;

/// A comparison function's return value, waiting to be turned into a `Result`.
///
/// ```
/// use asdf::engine::{CompareReturn, FallibleReturn as _, PlainReturn as _};
/// let plain: Result<f64, _> = (&&CompareReturn::new(1.5)).into_compare_result();
/// assert_eq!(plain, Ok(1.5));
/// let fallible: Result<f64, String> = (&&CompareReturn::new(Err::<f64, _>("no data".to_string()))).into_compare_result();
/// assert_eq!(fallible, Err("no data".to_string()));
/// ```
pub struct CompareReturn<T>(Cell<Option<T>>);

impl<T> std::fmt::Debug for CompareReturn<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompareReturn(..)")
    }
}

impl<T> CompareReturn<T> {
    /// Wraps a comparison function's value.
    pub fn new(value: T) -> Self {
        CompareReturn(Cell::new(Some(value)))
    }

    fn take(&self) -> T {
        match self.0.take() {
            Some(v) => v,
            None => panic!("CompareReturn::into_compare_result called twice on one value"),
        }
    }
}

/// A comparison function that returns `Result<T, E>`: its error becomes the station's failure.
pub trait FallibleReturn {
    /// The value gathered into the JSON results.
    type Ok;
    /// The error reported as the station's failure.
    type Err;
    /// The function's `Result`, as it is.
    fn into_compare_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T, E> FallibleReturn for &&CompareReturn<Result<T, E>> {
    type Ok = T;
    type Err = E;
    fn into_compare_result(self) -> Result<T, E> {
        self.take()
    }
}

/// A comparison function that returns a plain value: it always succeeds.
pub trait PlainReturn {
    /// The value gathered into the JSON results.
    type Ok;
    /// The value in `Ok`.
    fn into_compare_result(self) -> Result<Self::Ok, Infallible>;
}

impl<T> PlainReturn for &CompareReturn<T> {
    type Ok = T;
    fn into_compare_result(self) -> Result<T, Infallible> {
        Ok(self.take())
    }
}
