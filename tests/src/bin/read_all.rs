//! Reads every waveform of a file into memory (samples decoded, nothing written) and prints the
//! count, samples and seconds: our side of `scripts/bench_read.sh` (h5py is the other).
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: read_all FILE.h5")?;
    let t = Instant::now();
    let ds = asdf::AsdfFile::open(&path)?;
    let (mut traces, mut samples) = (0usize, 0usize);
    for s in ds.stations()? {
        for name in s.waveform_names()? {
            let tr = s.trace(&name)?;
            traces += 1;
            samples += tr.npts();
        }
    }
    println!("{{\"traces\": {traces}, \"samples\": {samples}, \"seconds\": {:.4}}}", t.elapsed().as_secs_f64());
    Ok(())
}
