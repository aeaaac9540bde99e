#!/usr/bin/env python3
"""ObsPy reference results for the Rust signal operations (tests/tests/obspy_reference.rs).

Usage: obspy_reference.py OUTDIR

Runs ObsPy 1.5.1 on fixed inputs (synthetic, seeded; and StationXML responses shipped inside
the ObsPy package) and writes OUTDIR/cases.json plus one raw little-endian float64 file per
array. Each case names the operation and its parameters; the Rust test runs the same operation
on the same input and compares.
"""
import json
import os
import sys
import warnings
import zlib

import numpy as np
import obspy
from obspy import Stream, Trace, UTCDateTime

warnings.simplefilter("ignore")
out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
cases = []
T0 = UTCDateTime("2020-03-01T10:00:00.123456")
DATA = os.path.join(os.path.dirname(obspy.__file__), "core", "tests", "data")
SIGNAL_DATA = os.path.join(os.path.dirname(obspy.__file__), "signal", "tests", "data")


saved = {}


def save(name, arr):
    """Writes the array once per content; returns its file name."""
    raw_bytes = np.ascontiguousarray(arr, dtype="<f8").tobytes()
    key = zlib.crc32(raw_bytes), len(raw_bytes)
    if key not in saved:
        saved[key] = name + ".f64"
        with open(os.path.join(out_dir, saved[key]), "wb") as f:
            f.write(raw_bytes)
    return saved[key]


def trace_desc(tr, name):
    return {
        "id": tr.id,
        "starttime_ns": tr.stats.starttime.ns,
        "sampling_rate": tr.stats.sampling_rate,
        "dtype": tr.data.dtype.str[1:],
        "data": save(name, tr.data.astype("f8")),
    }


def case(name, op, params, inputs, outputs, **extra):
    """inputs/outputs: lists of Traces (before/after the operation)."""
    cases.append(dict(
        name=name, op=op, params=params,
        inputs=[trace_desc(t, "%s.in%d" % (name, i)) for i, t in enumerate(inputs)],
        outputs=[trace_desc(t, "%s.out%d" % (name, i)) for i, t in enumerate(outputs)],
        **extra))


rng = np.random.RandomState(20201)
npts = 3600 * 100  # 1 h at 100 Hz
t = np.arange(npts) / 100.0
noise = np.cumsum(rng.normal(0, 1, npts)) * 0.05 + rng.normal(0, 5, npts)
signal = 200 * np.sin(2 * np.pi * 0.2 * t) + 80 * np.sin(2 * np.pi * 3.0 * t) + 1e3 + 0.01 * t + noise
raw = Trace(signal.astype("f8"), header=dict(network="XX", station="REF", channel="HHZ",
                                             starttime=T0, sampling_rate=100.0))
raw_int = raw.copy()
raw_int.data = np.round(signal).astype("i4")

# Sample types ObsPy keeps or promotes differently (float32 stays float32 in detrend, taper,
# rotation to R/T and remove_sensitivity; integers become float64): the cases run on each.
VARIANTS = ("f4", "i2", "i8")


def as_dtype(tr, dtype):
    """The trace with its samples in `dtype` (integers rounded, as a digitiser gives them)."""
    out = tr.copy()
    out.data = (np.round(tr.data) if dtype[0] == "i" else tr.data).astype(dtype)
    return out


def float32_error(fn, inputs):
    """How far ObsPy's result on float32 samples is from its result on the same samples as
    float64, relative to the peak: ObsPy's own float32 rounding, the bar where only that can be
    compared (FLOAT32_ROUNDING in obspy_reference.rs)."""
    a = Stream([t.copy() for t in inputs])
    b = Stream([t.copy() for t in inputs])
    for t in b:
        t.data = t.data.astype("f8")
    try:
        ra, rb = fn(a), fn(b)
    except Exception:
        return None
    outs_a = list(ra) if isinstance(ra, Stream) else list(a)
    outs_b = list(rb) if isinstance(rb, Stream) else list(b)
    worst = 0.0
    for x, y in zip(outs_a, outs_b):
        peak = max(np.abs(y.data).max(), np.finfo("f8").tiny)
        worst = max(worst, float(np.abs(x.data.astype("f8") - y.data).max() / peak))
    return worst


def run_stream(name, op, params, fn, traces, variants=("f4", "i4")):
    """One case on the stream of `traces`, and the same with their samples in each of
    `variants`; `fn` changes the stream in place or returns a new one."""
    for dtype in (None,) + tuple(variants):
        st = Stream([t.copy() if dtype is None else as_dtype(t, dtype) for t in traces])
        full = name if dtype is None else "%s_%s" % (name, dtype)
        after = st.copy()
        try:
            res = fn(after)
        except Exception as e:  # ObsPy refuses: so must we
            case(full, op, params, list(st), [], error=str(e))
            continue
        outs = res if isinstance(res, Stream) else after
        extra = {"float32_error": float32_error(fn, st)} if dtype == "f4" else {}
        case(full, op, params, list(st), list(outs), **extra)


def run(name, op, params, fn, tr=raw, variants=VARIANTS):
    """One case on the trace `tr`, and the same with its samples in each of `variants`."""
    run_stream(name, op, params, lambda st: fn(st[0]), [tr], variants)


# detrend
for kind in ["simple", "linear", "demean", "constant"]:
    run("detrend_" + kind, "detrend", {"type": kind}, lambda tr, k=kind: tr.detrend(k))
run("detrend_polynomial3", "detrend", {"type": "polynomial", "order": 3},
    lambda tr: tr.detrend("polynomial", order=3))
run("detrend_int_input", "detrend", {"type": "linear"}, lambda tr: tr.detrend("linear"), raw_int, variants=())

# taper
for kind in ["hann", "hamming", "cosine", "blackman", "bartlett", "triang"]:
    run("taper_" + kind, "taper", {"type": kind, "max_percentage": 0.05, "side": "both"},
        lambda tr, k=kind: tr.taper(0.05, type=k))
run("taper_max_length_left", "taper", {"type": "hann", "max_percentage": 0.2, "max_length": 30.0, "side": "left"},
    lambda tr: tr.taper(0.2, type="hann", max_length=30.0, side="left"))
run("taper_right", "taper", {"type": "hamming", "max_percentage": 0.1, "side": "right"},
    lambda tr: tr.taper(0.1, type="hamming", side="right"))

# Butterworth filters
for zp in [False, True]:
    for corners in [2, 4]:
        sfx = "%d_%s" % (corners, "zp" if zp else "causal")
        run("bandpass_" + sfx, "bandpass", {"freqmin": 1.0, "freqmax": 10.0, "corners": corners, "zerophase": zp},
            lambda tr, c=corners, z=zp: tr.filter("bandpass", freqmin=1.0, freqmax=10.0, corners=c, zerophase=z))
        run("lowpass_" + sfx, "lowpass", {"freq": 5.0, "corners": corners, "zerophase": zp},
            lambda tr, c=corners, z=zp: tr.filter("lowpass", freq=5.0, corners=c, zerophase=z))
        run("highpass_" + sfx, "highpass", {"freq": 0.5, "corners": corners, "zerophase": zp},
            lambda tr, c=corners, z=zp: tr.filter("highpass", freq=0.5, corners=c, zerophase=z))
        run("bandstop_" + sfx, "bandstop", {"freqmin": 2.0, "freqmax": 4.0, "corners": corners, "zerophase": zp},
            lambda tr, c=corners, z=zp: tr.filter("bandstop", freqmin=2.0, freqmax=4.0, corners=c, zerophase=z))
run("bandpass_above_nyquist", "bandpass", {"freqmin": 1.0, "freqmax": 60.0, "corners": 4, "zerophase": True},
    lambda tr: tr.filter("bandpass", freqmin=1.0, freqmax=60.0, corners=4, zerophase=True))
run("lowpass_above_nyquist", "lowpass", {"freq": 70.0, "corners": 4, "zerophase": False},
    lambda tr: tr.filter("lowpass", freq=70.0, corners=4, zerophase=False))
run("highpass_above_nyquist", "highpass", {"freq": 50.0, "corners": 4, "zerophase": False},
    lambda tr: tr.filter("highpass", freq=50.0, corners=4, zerophase=False))

# resample, decimate, interpolate
short = raw.copy().trim(T0, T0 + 600)  # 10 min
short_odd = raw.copy().trim(T0, T0 + 600.01)
run("resample_down_40", "resample", {"sampling_rate": 40.0, "window": "hann"}, lambda tr: tr.resample(40.0), short)
run("resample_up_250", "resample", {"sampling_rate": 250.0, "window": "hann"}, lambda tr: tr.resample(250.0), short)
run("resample_odd_npts", "resample", {"sampling_rate": 20.0, "window": "hann"}, lambda tr: tr.resample(20.0), short_odd)
run("resample_no_window", "resample", {"sampling_rate": 25.0, "window": None}, lambda tr: tr.resample(25.0, window=None), short)
run("resample_hamming", "resample", {"sampling_rate": 25.0, "window": "hamming"}, lambda tr: tr.resample(25.0, window="hamming"), short)
run("resample_filtered", "resample", {"sampling_rate": 10.0, "window": "hann", "no_filter": False},
    lambda tr: tr.resample(10.0, no_filter=False), short)
run("decimate_4", "decimate", {"factor": 4, "no_filter": False}, lambda tr: tr.decimate(4), short)
run("decimate_10", "decimate", {"factor": 10, "no_filter": False}, lambda tr: tr.decimate(10), short)
run("decimate_int_no_filter", "decimate", {"factor": 5, "no_filter": True}, lambda tr: tr.decimate(5, no_filter=True),
    raw_int.copy().trim(T0, T0 + 60), variants=())
run("interpolate_was_30", "interpolate", {"sampling_rate": 30.0, "method": "weighted_average_slopes"},
    lambda tr: tr.interpolate(30.0), short)
run("interpolate_linear_offset", "interpolate",
    {"sampling_rate": 7.0, "method": "linear", "starttime_ns": (T0 + 1.234).ns, "npts": 3000},
    lambda tr: tr.interpolate(7.0, method="linear", starttime=T0 + 1.234, npts=3000), short)
run("interpolate_was_up", "interpolate", {"sampling_rate": 333.0, "method": "weighted_average_slopes"},
    lambda tr: tr.interpolate(333.0), short.copy().trim(T0, T0 + 30))

# trim and slice
run("trim_nearest", "trim", {"starttime_ns": (T0 + 10.004).ns, "endtime_ns": (T0 + 20.006).ns},
    lambda tr: tr.trim(T0 + 10.004, T0 + 20.006), short)
run("trim_inside", "trim", {"starttime_ns": (T0 + 10.004).ns, "endtime_ns": (T0 + 20.006).ns, "nearest_sample": False},
    lambda tr: tr.trim(T0 + 10.004, T0 + 20.006, nearest_sample=False), short)
run("trim_pad", "trim", {"starttime_ns": (T0 - 5.003).ns, "endtime_ns": (T0 + 605.0).ns, "pad": 0.0},
    lambda tr: tr.trim(T0 - 5.003, T0 + 605.0, pad=True, fill_value=0.0), short)

# merge: pieces of one channel with a gap, an identical overlap and a differing overlap
pieces = [short.slice(T0, T0 + 100), short.slice(T0 + 90, T0 + 200), short.slice(T0 + 250, T0 + 400)]
diff = short.slice(T0 + 390, T0 + 500)
diff.data = diff.data + 1.0
pieces.append(diff)
for method, fill, interp_samples in [(0, 0.0, 0), (0, "latest", 0), (0, "interpolate", 0), (1, 0.0, 0), (1, 0.0, -1), (1, 0.0, 5)]:
    name = "merge_m%d_%s_i%d" % (method, fill, interp_samples)
    run_stream(name.replace(".", ""), "merge", {"method": method, "fill_value": fill, "interpolation_samples": interp_samples},
               lambda st, m=method, f=fill, i=interp_samples: st.merge(method=m, fill_value=f, interpolation_samples=i),
               pieces)
run_stream("merge_m0_split", "merge", {"method": 0, "fill_value": None, "interpolation_samples": 0},
           lambda st: st.merge().split(), pieces)

# rotation
rng2 = np.random.RandomState(7)
comps = {}
for cha in ["HHN", "HHE", "HHZ", "HH1", "HH2"]:
    comps[cha] = Trace(rng2.normal(0, 1000, 5000), header=dict(network="XX", station="ROT", channel=cha,
                                                             starttime=T0, sampling_rate=50.0))
run_stream("rotate_ne_rt", "rotate_ne_rt", {"back_azimuth": 123.4}, lambda st: st.rotate("NE->RT", back_azimuth=123.4),
           [comps["HHN"], comps["HHE"]], VARIANTS)
rt = Stream([comps["HHN"].copy(), comps["HHE"].copy()])
for tr, c in zip(rt, "RT"):
    tr.stats.channel = "HH" + c
run_stream("rotate_rt_ne", "rotate_rt_ne", {"back_azimuth": 301.7}, lambda st: st.rotate("RT->NE", back_azimuth=301.7),
           list(rt), VARIANTS)
inv_xml = os.path.join(out_dir, "rotate_inventory.xml")
from obspy.core.inventory import Channel, Inventory, Network, Site, Station

chans = [Channel(code=c, location_code="", latitude=0, longitude=0, elevation=0, depth=0, azimuth=az, dip=dip,
                 sample_rate=50.0, start_date=T0 - 86400)
         for c, az, dip in [("HHZ", 3.0, -88.0), ("HH1", 33.0, 1.5), ("HH2", 121.0, -2.0)]]
inv = Inventory(networks=[Network("XX", stations=[Station("ROT", 0, 0, 0, channels=chans, site=Site("rot"),
                                                             start_date=T0 - 86400)])], source="reference")
inv.write(inv_xml, format="STATIONXML")
run_stream("rotate_to_zne", "rotate_to_zne", {"components": ["Z12"], "inventory": "rotate_inventory.xml"},
           lambda st: st.rotate("->ZNE", inventory=inv, components=["Z12"]), [comps["HHZ"], comps["HH1"], comps["HH2"]],
           VARIANTS)

# remove_response and response evaluation on StationXML files shipped with ObsPy
xml_files = [os.path.join(DATA, f) for f in ["IU_ANMO_00_BHZ.xml", "IRIS_single_channel_with_response.xml",
                                             "AU.MEEK.xml", "DK.BSD..BHZ.xml", "G_CAN__LHZ.xml", "IU_ULN_00_LH1.xml",
                                             "SL_BOJS_LHZ.xml", "hydrophone_response_PA.xml", "IM_IL31__BHZ.xml"]]
xml_files.append(os.path.join(SIGNAL_DATA, "IUANMO.xml"))
responses = []
for path in xml_files:
    inv = obspy.read_inventory(path)
    for net in inv:
        for sta in net:
            for cha in sta:
                resp = cha.response
                if resp is None or not resp.response_stages or cha.sample_rate in (None, 0):
                    continue
                seed_id = "%s.%s.%s.%s" % (net.code, sta.code, cha.location_code, cha.code)
                when = cha.start_date + 3600
                nyq = cha.sample_rate / 2
                freqs = np.logspace(np.log10(nyq) - 4, np.log10(nyq), 200)
                for output in ["VEL", "DISP", "ACC", "DEF"]:
                    try:
                        h = resp.get_evalresp_response_for_frequencies(freqs, output=output)
                    except Exception as e:  # units evalresp cannot convert: not a reference case
                        continue
                    name = "resp_%s_%s_%s" % (os.path.basename(path).replace(".xml", ""), seed_id, output)
                    responses.append(dict(name=name, file=path, id=seed_id, time_ns=when.ns, output=output,
                                          freqs=save(name + ".f", freqs), re=save(name + ".re", h.real),
                                          im=save(name + ".im", h.imag)))
                # remove_response on a synthetic trace at the channel's rate
                n = 6000
                rng3 = np.random.RandomState(zlib.crc32(seed_id.encode()))
                data = (np.cumsum(rng3.normal(0, 1, n)) + 300 * np.sin(np.arange(n) * 2 * np.pi / 97.0)).astype("i4")
                tr = Trace(data, header=dict(network=net.code, station=sta.code, location=cha.location_code,
                                             channel=cha.code, starttime=when, sampling_rate=cha.sample_rate))
                fs = cha.sample_rate
                pre = [0.002 * fs, 0.004 * fs, 0.3 * fs, 0.4 * fs]
                for output, pre_filt, wl in [("VEL", pre, 60.0), ("DISP", None, 100.0), ("ACC", pre, None)]:
                    rr = lambda t, i=inv, o=output, p=pre_filt, w=wl: t.remove_response(inventory=i, output=o, pre_filt=p,
                                                                                          water_level=w)
                    try:  # channels ObsPy cannot correct are no reference case
                        rr(tr.copy())
                    except Exception:
                        continue
                    name = "rr_%s_%s_%s" % (os.path.basename(path).replace(".xml", ""), seed_id, output)
                    run(name, "remove_response", {"output": output, "pre_filt": pre_filt, "water_level": wl,
                                                  "inventory": path}, rr, tr)
                rs = lambda t, i=inv: t.remove_sensitivity(inventory=i)
                try:
                    rs(tr.copy())
                except Exception:
                    continue
                run("rs_%s_%s" % (os.path.basename(path).replace(".xml", ""), seed_id), "remove_sensitivity",
                    {"inventory": path}, rs, tr)
                if seed_id == "IU.ANMO.00.BHZ" and "IUANMO" not in path:
                    anmo = (path, tr, pre)

# Chains users run, on every sample type: detrend + taper + band-pass, and detrend + taper +
# remove_response; integer inputs become float64 at the detrend, float32 ones stay float32 until
# the filter (or remove_response) turns them into float64.
for kind in ["linear", "demean", "simple"]:
    steps = [{"op": "detrend", "type": kind},
             {"op": "taper", "type": "hann", "max_percentage": 0.05, "side": "both"},
             {"op": "bandpass", "freqmin": 1.0, "freqmax": 10.0, "corners": 4, "zerophase": True}]
    run("chain_%s_taper_bandpass" % kind, "chain", {"steps": steps},
        lambda tr, k=kind: tr.detrend(k).taper(0.05, type="hann").filter("bandpass", freqmin=1.0, freqmax=10.0,
                                                                         corners=4, zerophase=True),
        variants=VARIANTS + ("i4",))
path, tr, pre = anmo
inv = obspy.read_inventory(path)
for kind in ["linear", "demean"]:
    steps = [{"op": "detrend", "type": kind},
             {"op": "taper", "type": "hann", "max_percentage": 0.05, "side": "both"},
             {"op": "remove_response", "output": "DISP", "pre_filt": pre, "water_level": 60.0, "inventory": path}]
    run("chain_%s_taper_remove_response" % kind, "chain", {"steps": steps},
        lambda t, k=kind: t.detrend(k).taper(0.05, type="hann").remove_response(inventory=inv, output="DISP",
                                                                                 pre_filt=pre, water_level=60.0),
        tr, VARIANTS + ("f8",))

with open(os.path.join(out_dir, "cases.json"), "w") as f:
    json.dump({"obspy": obspy.__version__, "cases": cases, "responses": responses}, f, indent=1)
print(json.dumps({"cases": len(cases), "responses": len(responses)}))
