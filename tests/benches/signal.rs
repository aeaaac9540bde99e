//! Criterion benchmarks of the signal operations on one hour of 100 Hz data, the unit ObsPy users
//! think in. `scripts/bench_signal.sh` runs these and the same operations in ObsPy on this
//! machine and prints the ratios.

use std::hint::black_box;

use asdf::testing as sample;
use asdf::signal::{Detrend, Fill, FilterKind, Interpolation, Merge, RemoveResponse, Taper};
use asdf::{Inventory, Stream, Trace, UtcTime};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

const RATE: f64 = 100.0;

fn t0() -> UtcTime {
    UtcTime::from_ymd_hms(2020, 3, 1, 10, 0, 0, 0)
}

/// One hour of int32 counts: a random walk plus two sines (deterministic).
fn hour() -> Trace {
    hour_of("XX.S0001..HHZ", RATE)
}

/// [`hour`] for another channel and sampling rate.
fn hour_of(id: &str, rate: f64) -> Trace {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut walk = 0.0f64;
    let data: Vec<i32> = (0..(3600.0 * rate) as usize)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            walk += (state % 2001) as f64 / 1000.0 - 1.0;
            let t = i as f64 / rate;
            (walk * 50.0 + 2000.0 * (2.0 * std::f64::consts::PI * 0.2 * t).sin() + 300.0 * (2.0 * std::f64::consts::PI * 3.0 * t).sin()) as i32
        })
        .collect();
    Trace::new(id, t0(), rate, data)
}

/// The sample data set's StationXML for the benchmark's station.
fn inventory() -> Inventory {
    sample::station_inventory("XX", "S0001", 0.0, 0.0, RATE, t0() - 86_400.0)
}

/// `inv` with the first stage gain of every channel scaled: another response, evaluated afresh.
fn scaled(inv: &Inventory, sensitivity_scale: f64) -> Inventory {
    let mut inv = inv.clone();
    for ch in inv.networks.iter_mut().flat_map(|n| n.stations.iter_mut()).flat_map(|s| s.channels.iter_mut()) {
        if let Some(r) = ch.response.as_mut() {
            if let Some(g) = r.stages[0].gain.as_mut() {
                g.0 *= sensitivity_scale;
            }
        }
    }
    inv
}

fn operations(c: &mut Criterion) {
    let raw = hour();
    let float = {
        let mut t = raw.clone();
        t.detrend(Detrend::Linear);
        t
    };
    let mut g = c.benchmark_group("1h_100Hz");
    g.sample_size(20);
    let batched = |g: &mut criterion::BenchmarkGroup<'_, _>, name: &str, input: &Trace, op: &dyn Fn(&mut Trace)| {
        g.bench_function(name, |b| b.iter_batched(|| input.clone(), |mut t| op(black_box(&mut t)), BatchSize::LargeInput));
    };
    batched(&mut g, "detrend_linear", &raw, &|t| {
        t.detrend(Detrend::Linear);
    });
    batched(&mut g, "taper_hann_0.05", &float, &|t| {
        t.taper(0.05, Taper::Hann);
    });
    batched(&mut g, "bandpass_1_10_4_zerophase", &float, &|t| {
        t.bandpass(1.0, 10.0, 4, true).expect("bandpass");
    });
    // A station's three channels, filtered side by side as the engine's jobs do.
    let zne: Stream = ["HHZ", "HHN", "HHE"]
        .iter()
        .map(|c| {
            let mut t = float.clone();
            t.stats.channel = c.to_string();
            t
        })
        .collect();
    g.bench_function("bandpass_1_10_4_zerophase_3_channels", |b| {
        b.iter_batched(|| zne.clone(), |mut s| s.filter(FilterKind::Bandpass { freqmin: 1.0, freqmax: 10.0 }, 4, true).map(|s| s.len()).expect("bandpass"), BatchSize::LargeInput)
    });
    batched(&mut g, "resample_40", &float, &|t| {
        t.resample(40.0).expect("resample");
    });
    batched(&mut g, "decimate_4", &float, &|t| {
        t.decimate(4).expect("decimate");
    });
    batched(&mut g, "interpolate_was_40", &float, &|t| {
        t.interpolate(40.0, Interpolation::WeightedAverageSlopes, None, None).expect("interpolate");
    });

    // remove_response as a processing run sees it: the same channel epoch again (cached
    // response), and a channel seen for the first time (evaluated).
    let opts = RemoveResponse::velocity().pre_filt([0.05, 0.1, 20.0, 25.0]).water_level(Some(60.0));
    let inv = inventory();
    batched(&mut g, "remove_response_vel", &raw, &|t| {
        t.remove_response(&inv, &opts).expect("remove_response");
    });
    // Each iteration gets a response never seen before, so it is evaluated, not cached.
    let first_of_channel = |g: &mut criterion::BenchmarkGroup<'_, _>, name: &str, input: &Trace, inv: &Inventory| {
        let mut counter = 0u32;
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    counter += 1;
                    (input.clone(), scaled(inv, 1.0 + counter as f64 * 1e-9))
                },
                |(mut t, inv)| {
                    t.remove_response(&inv, &opts).expect("remove_response");
                    t
                },
                BatchSize::LargeInput,
            )
        });
    };
    first_of_channel(&mut g, "remove_response_vel_first_of_channel", &raw, &inv);

    // A real response with a FIR cascade (ObsPy's BW_RJOB.xml: poles & zeros, digitiser, two
    // FIR stages) at its channel's own rate, 200 Hz; `scripts/bench_signal.sh` names the file.
    if let Ok(path) = std::env::var("ASDF_BENCH_STATIONXML") {
        let xml = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let real = Inventory::from_stationxml(&xml).unwrap_or_else(|e| panic!("{path}: {e}"));
        let rjob = hour_of("BW.RJOB..EHZ", 200.0);
        batched(&mut g, "remove_response_vel_BW_RJOB_200Hz", &rjob, &|t| {
            t.remove_response(&real, &opts).expect("remove_response");
        });
        first_of_channel(&mut g, "remove_response_vel_BW_RJOB_200Hz_first_of_channel", &rjob, &real);
    }

    let halves: Stream = [raw.slice(None, Some(t0() + 1800.0)).expect("slice"), raw.slice(Some(t0() + 1800.0), None).expect("slice")].into_iter().collect();
    g.bench_function("merge_two_halves", |b| {
        b.iter_batched(|| halves.clone(), |mut s| s.merge(Merge { fill: Fill::Value(0.0), ..Merge::default() }).map(|s| s.len()).expect("merge"), BatchSize::LargeInput)
    });
    let ne: Stream = ["HHN", "HHE"]
        .iter()
        .map(|c| {
            let mut t = float.clone();
            t.stats.channel = c.to_string();
            t
        })
        .collect();
    g.bench_function("rotate_ne_rt", |b| b.iter_batched(|| ne.clone(), |mut s| s.rotate_ne_rt(123.4).map(|s| s.len()).expect("rotate"), BatchSize::LargeInput));
    g.finish();
}

criterion_group!(benches, operations);
criterion_main!(benches);
