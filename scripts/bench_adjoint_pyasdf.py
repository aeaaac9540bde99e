#!/usr/bin/env python3
"""The `adjoint` example's computation written with pyasdf + ObsPy + NumPy (the pyasdf side of
scripts/bench_adjoint.sh): for each station in both files, the synthetics rotated NE->RT with
ObsPy's back azimuth, per component a window around the synthetic's peak, the L2 misfit and
adjoint source, rotated back RT->NE; written with pyasdf's add_auxiliary_data (AdjointSources as
SPECFEM reads them, the windows), StationXML and the event copied, the records as JSON. Serial:
pyasdf's two-file function (process_two_files_without_parallel_output) needs mpi4py and gathers
results on rank 0, where the writing happens anyway."""
import argparse, json, os, time, warnings
import numpy as np
import pyasdf
from obspy.geodetics import gps2dist_azimuth
from obspy.signal.rotate import rotate_ne_rt, rotate_rt_ne

warnings.simplefilter("ignore")
HALF_WINDOW, TAPER, PERIODS = 20.0, 0.15, (2.0, 20.0)


def band(dt):
    return "LX" if dt >= 1 else "MX" if dt > 0.1 else "BX" if dt > 0.0125 else "HX" if dt > 0.004 else "CX" if dt > 0.001 else "FX"


def taper(n):
    ramp = int(np.floor(n * TAPER / 2.0 + 0.5))
    k = np.minimum(np.arange(n), n - 1 - np.arange(n))
    w = np.ones(n)
    inside = k < ramp
    w[inside] = 0.5 - 0.5 * np.cos(np.pi * k[inside] / ramp)
    return w


def measure(d, s, dt):
    peak = int(np.argmax(np.abs(s)))
    half = int(round(HALF_WINDOW / dt))
    left, right = max(0, peak - half), min(len(s), peak + half + 1)
    w = taper(right - left)
    diff = s[left:right] - d[left:right]
    adj = np.zeros(len(s))
    adj[left:right] = w * w * diff
    return left, right, 0.5 * np.trapezoid((w * diff) ** 2, dx=dt), adj


def station(obs, syn, origin, out):
    (otag,), (stag,) = obs.get_waveform_tags(), syn.get_waveform_tags()
    o, s = obs[otag], syn[stag]
    inv = syn.StationXML if "StationXML" in syn.list() else obs.StationXML
    sta = inv[0][0]
    _, _, baz = gps2dist_azimuth(origin.latitude, origin.longitude, sta.latitude, sta.longitude)
    comp = {tr.stats.channel[-1]: tr for tr in s}
    z, n, e = (comp[c].data.astype(np.float64) for c in "ZNE")
    r, t = rotate_ne_rt(n, e, baz)
    syn_c = {"Z": z, "R": r, "T": t}
    obs_c = {tr.stats.channel[-1]: tr.data.astype(np.float64) for tr in o}
    dt, t0 = comp["Z"].stats.delta, comp["Z"].stats.starttime
    windows, adj, total = [], {}, 0.0
    for c in "ZRT":
        left, right, misfit, a = measure(obs_c[c], syn_c[c], dt)
        cha = comp["Z"].stats.channel[:-1] + c
        cid = "%s.%s.%s.%s" % (comp["Z"].stats.network, comp["Z"].stats.station, comp["Z"].stats.location, cha)
        windows.append({"channel_id": cid, "left_index": left, "right_index": right, "misfit": misfit,
                        "relative_starttime": left * dt, "relative_endtime": (right - 1) * dt, "dt": dt,
                        "absolute_starttime": str(t0 + left * dt), "absolute_endtime": str(t0 + (right - 1) * dt)})
        out.add_auxiliary_data(np.array([[left * dt, (right - 1) * dt]]), data_type="MisfitWindows",
                               path="%s_%s_%s" % (comp["Z"].stats.network, comp["Z"].stats.station, cha),
                               parameters={"channel_id": cid, "misfit": misfit, "time_of_first_sample": str(t0)})
        adj[c] = a
        total += misfit
    n_adj, e_adj = rotate_rt_ne(adj["R"], adj["T"], baz)
    net, code = comp["Z"].stats.network, comp["Z"].stats.station
    rt_misfit = sum(w["misfit"] for w in windows[1:])
    for c, data, m in (("Z", adj["Z"], windows[0]["misfit"]), ("N", n_adj, rt_misfit), ("E", e_adj, rt_misfit)):
        params = {"dt": dt, "starttime": str(t0), "misfit": m, "adjoint_source_type": "waveform_misfit",
                  "min_period": PERIODS[0], "max_period": PERIODS[1], "latitude": sta.latitude,
                  "longitude": sta.longitude, "elevation_in_m": sta.elevation, "depth_in_m": 0.0,
                  "station_id": "%s.%s" % (net, code), "component": band(dt) + c, "location": comp["Z"].stats.location,
                  "units": "m"}
        out.add_auxiliary_data(data.astype(np.float32), data_type="AdjointSources",
                               path="%s_%s_%s%s" % (net, code, band(dt), c), parameters=params)
    out.add_stationxml(inv)
    return {"misfit": total, "windows": windows}


p = argparse.ArgumentParser()
p.add_argument("obs")
p.add_argument("syn")
p.add_argument("out")
a = p.parse_args()
if os.path.exists(a.out):
    os.remove(a.out)
t = time.perf_counter()
obs, syn = pyasdf.ASDFDataSet(a.obs, mode="r"), pyasdf.ASDFDataSet(a.syn, mode="r")
out = pyasdf.ASDFDataSet(a.out, mode="w")
out.add_quakeml(obs.events)
origin = obs.events[0].preferred_origin() or obs.events[0].origins[0]
records = {}
common = sorted(set(obs.waveforms.list()) & set(syn.waveforms.list()))
for name in common:
    records[name] = station(obs.waveforms[name], syn.waveforms[name], origin, out)
del out
with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
    json.dump({"records": records}, f)
print("%.3f" % (time.perf_counter() - t))
