//! What a processing function may know about its job beyond the stream and the inventory: the
//! event, the station's coordinates and the station-event geometry (what every tomography
//! pipeline computes with `gps2dist_azimuth` before it rotates or windows).

use crate::format::AsdfFile;
use crate::geodetics::{gps2dist_azimuth, locations2degrees};
use crate::model::event::{Event, Origin};
use crate::model::inventory::Coordinates;

/// The third argument a station function may take:
/// `fn(Stream, Option<Inventory>, &JobContext) -> Option<Stream>`.
///
/// ```
/// use asdf::engine::JobContext;
/// use asdf::prelude::*;
///
/// /// Rotates to radial/transverse with the back azimuth to the event.
/// fn rotate_rt(mut st: Stream, _inv: Option<Inventory>, ctx: &JobContext<'_>) -> Result<Option<Stream>, SignalError> {
///     let Some(geometry) = ctx.geometry() else { return Ok(None) };
///     st.rotate_ne_rt(geometry.back_azimuth)?;
///     Ok(Some(st))
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JobContext<'a> {
    /// The station, `NET.STA`.
    pub station: &'a str,
    /// The input tag (empty in a multi-input job, whose function picks its tags).
    pub tag: &'a str,
    /// Every event of the input file.
    pub events: &'a [Event],
    /// This job's event: the one its traces' `event_id` names, else the file's only event.
    pub event: Option<&'a Event>,
    /// The station's coordinates from its StationXML (first station epoch), if it has one.
    pub coordinates: Option<Coordinates>,
}

/// The input's events, for the functions that take a [`JobContext`](super::JobContext). A
/// QuakeML document whose events do not parse is reported once (rank 0) and gives none.
pub(crate) fn file_events(ctx: &super::Ctx, src: &AsdfFile) -> Vec<Event> {
    let parsed = match src.events() {
        Ok(Some(ev)) => ev.events().map(<[Event]>::to_vec),
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    };
    parsed.unwrap_or_else(|why| {
        if ctx.is_root() {
            eprintln!("warning: {}: /QuakeML: {why}; functions see no event", src.path().display());
        }
        Vec::new()
    })
}

/// Where the station lies from the event (the event's preferred origin, else its first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Geodesic distance on WGS84, in metres (`gps2dist_azimuth`).
    pub distance_m: f64,
    /// Great-circle distance in degrees on a sphere (`locations2degrees`, what TauP takes).
    pub distance_deg: f64,
    /// Azimuth from the event to the station, degrees clockwise from north.
    pub azimuth: f64,
    /// Back azimuth from the station to the event (as ObsPy: `azi2 + 180`, in [0, 360]).
    pub back_azimuth: f64,
}

impl<'a> JobContext<'a> {
    /// The event's origin: the preferred one, else the first.
    pub fn origin(&self) -> Option<&'a Origin> {
        self.event?.origin()
    }

    /// Distance and azimuths between the event's origin and the station; `None` without an
    /// event, an origin or station coordinates (or with coordinates that are not on the Earth).
    pub fn geometry(&self) -> Option<Geometry> {
        let (o, s) = (self.origin()?, self.coordinates?);
        let (distance_m, azimuth, back_azimuth) = gps2dist_azimuth(o.latitude, o.longitude, s.latitude, s.longitude).ok()?;
        let distance_deg = locations2degrees(o.latitude, o.longitude, s.latitude, s.longitude);
        Some(Geometry { distance_m, distance_deg, azimuth, back_azimuth })
    }
}

/// A station function of either form: `fn(Stream, Option<Inventory>) -> R` or
/// `fn(Stream, Option<Inventory>, &JobContext) -> R`. `Form` tells the two apart (a function
/// cannot be both), so `process` takes either without the caller saying which.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a station function",
    label = "expected `fn(Stream, Option<Inventory>) -> R` or `fn(Stream, Option<Inventory>, &JobContext) -> R`",
    note = "`R` is `Option<Stream>` or `Result<Option<Stream>, E>` with `E: Display`; check the argument and return types"
)]
pub trait StationFn<Form>: Sync {
    /// What the function returns.
    type Output: super::StationOutput;
    /// Calls the function (the two-argument form ignores `ctx`).
    fn call(&self, st: crate::Stream, inv: Option<crate::Inventory>, ctx: &JobContext<'_>) -> Self::Output;
}

/// The two-argument form.
#[derive(Debug)]
pub enum StreamAndInventory {}

/// The three-argument form.
#[derive(Debug)]
pub enum WithContext {}

impl<F, R> StationFn<StreamAndInventory> for F
where
    F: Fn(crate::Stream, Option<crate::Inventory>) -> R + Sync,
    R: super::StationOutput,
{
    type Output = R;
    fn call(&self, st: crate::Stream, inv: Option<crate::Inventory>, _ctx: &JobContext<'_>) -> R {
        self(st, inv)
    }
}

impl<F, R> StationFn<WithContext> for F
where
    F: for<'c, 'd> Fn(crate::Stream, Option<crate::Inventory>, &'c JobContext<'d>) -> R + Sync,
    R: super::StationOutput,
{
    type Output = R;
    fn call(&self, st: crate::Stream, inv: Option<crate::Inventory>, ctx: &JobContext<'_>) -> R {
        self(st, inv, ctx)
    }
}
