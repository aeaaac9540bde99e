//! `asdf::geodetics` against ObsPy 1.5.1 with geographiclib (`python/geodetics_reference.py`) on
//! 5,000 pseudo-random pairs over the globe plus the hard cases: poles, exact and near antipodes,
//! the same point, the date line.

use std::process::Command;

use asdf::geodetics::{gps2dist_azimuth, locations2degrees};
use asdf_tests::{python, stderr};

/// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG; the test needs spread, not
/// quality).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn pairs() -> Vec<[f64; 4]> {
    let mut pairs = vec![
        [90.0, 0.0, -90.0, 0.0],
        [90.0, 10.0, 90.0, -170.0],
        [-90.0, 0.0, 45.0, 45.0],
        [0.0, 0.0, 0.0, 180.0],
        [0.0, 0.0, 0.5, 179.7],
        [30.0, 0.0, -30.0, 180.0],
        [-41.3, 174.8, 41.3, -5.2],
        [12.0, 34.0, 12.0, 34.0],
        [10.0, 179.9, -10.0, -179.9],
        [89.9999, 0.0, -89.9999, 0.0],
        [0.0, 0.0, 0.0, 1e-9],
    ];
    let mut r = Lcg(20261203);
    for _ in 0..5000 {
        pairs.push([r.next() * 180.0 - 90.0, r.next() * 360.0 - 180.0, r.next() * 180.0 - 90.0, r.next() * 360.0 - 180.0]);
    }
    pairs
}

#[test]
fn the_same_numbers_as_obspy_with_geographiclib() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("pairs.json"), dir.path().join("obspy.json"));
    let pairs = pairs();
    std::fs::write(&input, serde_json::to_vec(&pairs).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/geodetics_reference.py");
    let o = Command::new(python()).arg(script).arg(&input).arg(&output).output().expect("run python");
    assert!(o.status.success(), "{}", stderr(&o));
    let obspy: Vec<[f64; 4]> = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(obspy.len(), pairs.len());

    let (mut worst_d, mut worst_az, mut worst_deg, mut identical) = (0.0f64, 0.0f64, 0.0f64, 0usize);
    for (p, want) in pairs.iter().zip(&obspy) {
        let (d, az, baz) = gps2dist_azimuth(p[0], p[1], p[2], p[3]).unwrap();
        let deg = locations2degrees(p[0], p[1], p[2], p[3]);
        // Azimuths compared on the circle (359.999... and 0 are neighbours).
        let circ = |a: f64, b: f64| {
            let x = (a - b).rem_euclid(360.0);
            x.min(360.0 - x)
        };
        let (dd, daz, dbaz, ddeg) = ((d - want[0]).abs(), circ(az, want[1]), circ(baz, want[2]), (deg - want[3]).abs());
        assert!(dd < 1e-6, "{p:?}: distance {d} m, ObsPy {} m", want[0]);
        assert!(daz < 1e-9 && dbaz < 1e-9, "{p:?}: azimuths {az} {baz}, ObsPy {} {}", want[1], want[2]);
        assert!((0.0..360.0).contains(&az) && (0.0..=360.0).contains(&baz), "{p:?}: {az} {baz} outside ObsPy's ranges");
        assert!(ddeg < 1e-10, "{p:?}: locations2degrees {deg}, ObsPy {}", want[3]);
        worst_d = worst_d.max(dd);
        worst_az = worst_az.max(daz).max(dbaz);
        worst_deg = worst_deg.max(ddeg);
        identical += usize::from(d == want[0]);
    }
    println!(
        "{} pairs: max |d distance| {worst_d:.2e} m, max |d azimuth| {worst_az:.2e} deg, max |d locations2degrees| {worst_deg:.2e} deg; {identical} distances identical to the bit",
        pairs.len()
    );
}
