//! Distances and azimuths between two points, with ObsPy's names and numbers
//! (`obspy.geodetics`).
//!
//! - [`gps2dist_azimuth`]: the geodesic on the WGS84 ellipsoid (Karney's algorithm, through
//!   geographiclib-rs), as ObsPy computes it when geographiclib is installed (its `geo` extra, or
//!   conda-forge's ObsPy). Without geographiclib ObsPy falls back to Vincenty's formulae, which
//!   differ by up to about 3 cm and fail near antipodes; this module gives the geographiclib
//!   numbers.
//! - [`locations2degrees`]: ObsPy's great-circle distance on a *sphere* from the geographic
//!   latitudes (what pipelines pass to TauP); not the ellipsoidal distance in degrees, which
//!   differs by up to 0.34°.
//! - [`kilometers2degrees`] and [`degrees2kilometers`] on a sphere of 6371 km.
//!
//! ```
//! use asdf::geodetics::{gps2dist_azimuth, locations2degrees};
//! // From an event in Tohoku to a station in Hawaii.
//! let (distance_m, azimuth, back_azimuth) = gps2dist_azimuth(38.30, 142.37, 19.76, -155.53)?;
//! assert!((distance_m / 1000.0 - 6266.5).abs() < 0.1);
//! assert!((0.0..360.0).contains(&azimuth) && (0.0..=360.0).contains(&back_azimuth));
//! assert!((locations2degrees(5.0, 5.0, 10.0, 10.0) - 7.039701419175).abs() < 1e-9);
//! # Ok::<(), asdf::geodetics::GeodeticsError>(())
//! ```

use geographiclib_rs::{Geodesic, InverseGeodesic};

/// WGS84's equatorial radius in metres (ObsPy's default `a`).
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84's flattening (ObsPy's default `f`).
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// The spherical Earth radius of [`kilometers2degrees`] and [`degrees2kilometers`], in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// A point that is not on the Earth.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GeodeticsError {
    /// A latitude outside [-90, 90] degrees (ObsPy raises `ValueError` too).
    #[error("latitude of point {point} is {value}; it must be within -90 <= lat <= 90")]
    Latitude {
        /// `1` or `2`.
        point: u8,
        /// The latitude given.
        value: f64,
    },
    /// A longitude that is not a finite number.
    #[error("longitude of point {point} is {value}; it must be a finite number of degrees")]
    Longitude {
        /// `1` or `2`.
        point: u8,
        /// The longitude given.
        value: f64,
    },
}

fn check(point: u8, lat: f64, lon: f64) -> Result<(), GeodeticsError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(GeodeticsError::Latitude { point, value: lat });
    }
    if !lon.is_finite() {
        return Err(GeodeticsError::Longitude { point, value: lon });
    }
    Ok(())
}

/// Distance in metres, azimuth from point 1 to point 2 and back azimuth from point 2 to point 1
/// (degrees clockwise from north), on the WGS84 ellipsoid: ObsPy's `gps2dist_azimuth` with
/// geographiclib. As in ObsPy the azimuth lies in [0, 360) and the back azimuth, `azi2 + 180`,
/// in [0, 360].
///
/// ```
/// # use asdf::geodetics::gps2dist_azimuth;
/// let (d, az, baz) = gps2dist_azimuth(0.0, 0.0, 0.0, 1.0)?;
/// assert!((d - 111_319.490_793).abs() < 1e-3);
/// assert_eq!((az, baz), (90.0, 270.0));
/// assert!(gps2dist_azimuth(91.0, 0.0, 0.0, 0.0).is_err());
/// # Ok::<(), asdf::geodetics::GeodeticsError>(())
/// ```
pub fn gps2dist_azimuth(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> Result<(f64, f64, f64), GeodeticsError> {
    gps2dist_azimuth_on(lat1, lon1, lat2, lon2, WGS84_A, WGS84_F)
}

/// [`gps2dist_azimuth`] on the ellipsoid of equatorial radius `a` (metres) and flattening `f`
/// (ObsPy's `a` and `f` arguments).
///
/// ```
/// # use asdf::geodetics::gps2dist_azimuth_on;
/// // On a sphere of radius 1 m, a quarter of the equator is pi/2 m.
/// let (d, _, _) = gps2dist_azimuth_on(0.0, 0.0, 0.0, 90.0, 1.0, 0.0)?;
/// assert!((d - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// # Ok::<(), asdf::geodetics::GeodeticsError>(())
/// ```
pub fn gps2dist_azimuth_on(lat1: f64, lon1: f64, lat2: f64, lon2: f64, a: f64, f: f64) -> Result<(f64, f64, f64), GeodeticsError> {
    check(1, lat1, lon1)?;
    check(2, lat2, lon2)?;
    let (s12, azi1, azi2, _a12): (f64, f64, f64, f64) = Geodesic::new(a, f).inverse(lat1, lon1, lat2, lon2);
    let azimuth = if azi1 < 0.0 { azi1 + 360.0 } else { azi1 };
    Ok((s12, azimuth, azi2 + 180.0))
}

/// Great-circle distance in degrees between two points on a *sphere*, from their geographic
/// latitudes (ObsPy's `locations2degrees`: the Vincenty formula for a sphere, ported term by
/// term so that the numbers are ObsPy's).
///
/// ```
/// # use asdf::geodetics::locations2degrees;
/// assert!((locations2degrees(0.0, 0.0, 0.0, 180.0) - 180.0).abs() < 1e-12);
/// assert_eq!(locations2degrees(10.0, 20.0, 10.0, 20.0), 0.0);
/// ```
pub fn locations2degrees(lat1: f64, long1: f64, lat2: f64, long2: f64) -> f64 {
    let (lat1, lat2) = (lat1.to_radians(), lat2.to_radians());
    let long_diff = long2.to_radians() - long1.to_radians();
    let y = ((lat2.cos() * long_diff.sin()).powi(2) + (lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * long_diff.cos()).powi(2)).sqrt();
    let x = lat1.sin() * lat2.sin() + lat1.cos() * lat2.cos() * long_diff.cos();
    y.atan2(x).to_degrees()
}

/// Kilometres to degrees of a great circle on a sphere of [`EARTH_RADIUS_KM`] (ObsPy's
/// `kilometers2degrees`).
///
/// ```
/// # use asdf::geodetics::kilometers2degrees;
/// assert!((kilometers2degrees(111.19492664455873) - 1.0).abs() < 1e-12);
/// ```
pub fn kilometers2degrees(kilometers: f64) -> f64 {
    kilometers2degrees_on(kilometers, EARTH_RADIUS_KM)
}

/// [`kilometers2degrees`] on a sphere of `radius` km.
pub fn kilometers2degrees_on(kilometers: f64, radius: f64) -> f64 {
    kilometers / (2.0 * radius * std::f64::consts::PI / 360.0)
}

/// Degrees of a great circle to kilometres on a sphere of [`EARTH_RADIUS_KM`] (ObsPy's
/// `degrees2kilometers`).
///
/// ```
/// # use asdf::geodetics::degrees2kilometers;
/// assert!((degrees2kilometers(1.0) - 111.19492664455873).abs() < 1e-12);
/// ```
pub fn degrees2kilometers(degrees: f64) -> f64 {
    degrees2kilometers_on(degrees, EARTH_RADIUS_KM)
}

/// [`degrees2kilometers`] on a sphere of `radius` km.
pub fn degrees2kilometers_on(degrees: f64, radius: f64) -> f64 {
    degrees * (2.0 * radius * std::f64::consts::PI / 360.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poles_antipodes_and_the_same_point() {
        // Pole to pole: half a meridian (WGS84: 20,003,931.4586 m).
        let (d, az, baz) = gps2dist_azimuth(90.0, 0.0, -90.0, 0.0).unwrap();
        assert!((d - 20_003_931.458_6).abs() < 1e-3, "{d}");
        assert_eq!((az, baz), (180.0, 360.0));
        // Antipodes on the equator: Vincenty fails here, geographiclib does not.
        let (d, _, _) = gps2dist_azimuth(0.0, 0.0, 0.0, 180.0).unwrap();
        assert!((d - 20_003_931.458_6).abs() < 1e-3, "{d}");
        assert_eq!(gps2dist_azimuth(12.0, 34.0, 12.0, 34.0).unwrap().0, 0.0);
        assert!(matches!(gps2dist_azimuth(0.0, f64::NAN, 0.0, 0.0), Err(GeodeticsError::Longitude { point: 1, .. })));
        assert!(matches!(gps2dist_azimuth(0.0, 0.0, -90.5, 0.0), Err(GeodeticsError::Latitude { point: 2, .. })));
        assert!(gps2dist_azimuth(f64::NAN, 0.0, 0.0, 0.0).is_err());
    }

    #[test]
    fn degrees_and_kilometres_invert_each_other() {
        for x in [0.0, 1.0, 45.5, 180.0] {
            assert!((kilometers2degrees(degrees2kilometers(x)) - x).abs() < 1e-12);
        }
    }
}
