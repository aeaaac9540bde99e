#!/usr/bin/env python3
"""ObsPy's side of scripts/bench_signal.sh: the same operations on one hour of 100 Hz data read
from a sample ASDF file (its first HHZ trace and StationXML), mean seconds per call as JSON."""
import json
import os
import sys
import time
import warnings

import numpy as np
import obspy
import pyasdf
from obspy import Stream

warnings.simplefilter("ignore")
with pyasdf.ASDFDataSet(sys.argv[1], mode="r") as ds:
    sta = ds.waveforms[ds.waveforms.list()[0]]
    raw = sta.raw_recording.select(channel="HHZ")[0]
    inv = sta.StationXML
fl = raw.copy().detrend("linear")


def timed(fn, base, repeat):
    total = 0.0
    for _ in range(repeat):
        x = base.copy()
        t = time.perf_counter()
        fn(x)
        total += time.perf_counter() - t
    return total / repeat


half = raw.stats.starttime + 1800
ne = Stream([fl.copy(), fl.copy()])
ne[0].stats.channel, ne[1].stats.channel = "HHN", "HHE"
out = {
    "detrend_linear": timed(lambda t: t.detrend("linear"), raw, 10),
    "taper_hann_0.05": timed(lambda t: t.taper(0.05, type="hann"), fl, 10),
    "bandpass_1_10_4_zerophase": timed(lambda t: t.filter("bandpass", freqmin=1, freqmax=10, corners=4, zerophase=True), fl, 10),
    "resample_40": timed(lambda t: t.resample(40.0), fl, 5),
    "decimate_4": timed(lambda t: t.decimate(4), fl, 10),
    "interpolate_was_40": timed(lambda t: t.interpolate(40.0), fl, 5),
    "remove_response_vel": timed(lambda t: t.remove_response(inventory=inv, output="VEL", pre_filt=(0.05, 0.1, 20, 25), water_level=60), raw, 3),
    "merge_two_halves": timed(lambda s: s.merge(fill_value=0), Stream([raw.slice(None, half), raw.slice(half, None)]), 10),
    "rotate_ne_rt": timed(lambda s: s.rotate("NE->RT", back_azimuth=123.4), ne, 10),
}
# A real response with a FIR cascade (see tests/benches/signal.rs), 1 h at its own 200 Hz.
rjob_inv = obspy.read_inventory(os.path.join(os.path.dirname(obspy.__file__), "core", "data", "BW_RJOB.xml"))
rjob = obspy.Trace(np.cumsum(np.random.default_rng(1).integers(-1000, 1001, 720000)).astype(np.int32),
                   header={"network": "BW", "station": "RJOB", "channel": "EHZ", "sampling_rate": 200.0,
                           "starttime": obspy.UTCDateTime(2020, 3, 1, 10)})
out["remove_response_vel_BW_RJOB_200Hz"] = timed(lambda t: t.remove_response(inventory=rjob_inv, output="VEL", pre_filt=(0.05, 0.1, 20, 25), water_level=60), rjob, 3)
out["remove_response_vel_first_of_channel"] = out["remove_response_vel"]  # ObsPy evaluates every time
out["remove_response_vel_BW_RJOB_200Hz_first_of_channel"] = out["remove_response_vel_BW_RJOB_200Hz"]
print(json.dumps(out))
