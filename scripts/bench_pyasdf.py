#!/usr/bin/env python3
"""pyasdf's process() with the benchmark chains (the pyasdf side of scripts/bench.sh).
   copy  = identity
   light = detrend(linear) + taper(0.05 hann) + bandpass(1-10 Hz, 4 corners, zero-phase)
   heavy = light with remove_response(VEL, pre_filt, water_level 60) before the band-pass."""
import argparse, os, time, warnings
import pyasdf

warnings.simplefilter("ignore")
p = argparse.ArgumentParser()
p.add_argument("inp")
p.add_argument("out")
p.add_argument("--chain", default="light", choices=["light", "heavy", "copy"])
p.add_argument("--cpus", type=int, default=-1)
a = p.parse_args()


def light(st, inv):
    st.detrend("linear")
    st.taper(max_percentage=0.05, type="hann")
    st.filter("bandpass", freqmin=1.0, freqmax=10.0, corners=4, zerophase=True)
    return st


def heavy(st, inv):
    if inv is None:
        return None
    st.detrend("linear")
    st.taper(max_percentage=0.05, type="hann")
    st.remove_response(inventory=inv, output="VEL", pre_filt=(0.05, 0.1, 20.0, 25.0), water_level=60)
    st.filter("bandpass", freqmin=1.0, freqmax=10.0, corners=4, zerophase=True)
    return st


def copy(st, inv):
    return st


fn = {"light": light, "heavy": heavy, "copy": copy}[a.chain]
if os.path.exists(a.out):
    os.remove(a.out)
t = time.perf_counter()
with pyasdf.ASDFDataSet(a.inp, mode="r") as ds:
    ds.process(fn, a.out, tag_map={"raw_recording": "processed"}, cpu_count=a.cpus)
print("%.3f" % (time.perf_counter() - t))
