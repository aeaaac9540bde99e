//! `misfit`: compare two files station by station (observed vs. processed, or data vs.
//! synthetics): per shared tag and channel, the energy of each and the relative L2 misfit.
use std::collections::BTreeMap;

use asdf::prelude::*;
use asdf::FormatError;

/// Energy and relative L2 misfit per channel of every tag the two stations share.
#[asdf::station_processor(compare)]
fn misfit(a: &StationGroup<'_>, b: &StationGroup<'_>) -> Result<BTreeMap<String, ChannelMisfit>, FormatError> {
    let mut out = BTreeMap::new();
    let tags_b = b.tags()?;
    for tag in a.tags()?.into_iter().filter(|t| tags_b.contains(t)) {
        let (sa, sb) = (a.stream(&tag)?, b.stream(&tag)?);
        for ta in &sa {
            if let Some(tb) = sb.iter().find(|t| t.id() == ta.id()) {
                out.insert(format!("{}/{}", tag, ta.id()), ChannelMisfit::between(&ta.data().to_f64(), &tb.data().to_f64()));
            }
        }
    }
    Ok(out)
}

/// Energies of two traces and the L2 norm of their difference relative to the first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChannelMisfit {
    pub energy_a: f64,
    pub energy_b: f64,
    pub relative_l2: f64,
    pub samples: usize,
}

impl ChannelMisfit {
    fn between(a: &[f64], b: &[f64]) -> Self {
        let n = a.len().min(b.len());
        let energy_a: f64 = a[..n].iter().map(|x| x * x).sum();
        let energy_b: f64 = b[..n].iter().map(|x| x * x).sum();
        let diff: f64 = a[..n].iter().zip(&b[..n]).map(|(x, y)| (x - y) * (x - y)).sum();
        let relative_l2 = if energy_a > 0.0 { (diff / energy_a).sqrt() } else { 0.0 };
        ChannelMisfit { energy_a, energy_b, relative_l2, samples: n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_traces_have_zero_misfit() {
        let m = ChannelMisfit::between(&[1.0, -2.0, 3.0], &[1.0, -2.0, 3.0]);
        assert_eq!(m.relative_l2, 0.0);
        assert_eq!(m.energy_a, 14.0);
        let m = ChannelMisfit::between(&[1.0, 0.0], &[0.0, 0.0]);
        assert_eq!(m.relative_l2, 1.0);
    }

    #[test]
    fn compares_station_groups_of_two_files() {
        let dir = tempfile::tempdir().unwrap();
        let (p1, p2) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
        let opts = asdf::testing::SampleOptions { stations: 1, seconds: 10.0, ..Default::default() };
        asdf::testing::write_sample(&p1, &opts).unwrap();
        asdf::testing::write_sample(&p2, &asdf::testing::SampleOptions { seed: 2, ..opts }).unwrap();
        let (f1, f2) = (AsdfFile::open(&p1).unwrap(), AsdfFile::open(&p2).unwrap());
        let (a, b) = (f1.station("XX.S0000").unwrap(), f2.station("XX.S0000").unwrap());
        let same = misfit(&a, &a).unwrap();
        assert_eq!(same.len(), 3);
        assert!(same.values().all(|m| m.relative_l2 == 0.0));
        let other = misfit(&a, &b).unwrap();
        assert!(other.values().all(|m| m.relative_l2 > 0.1));
    }
}
