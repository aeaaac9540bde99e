#!/usr/bin/env python3
"""The adjoint example's output checked with pyasdf and NumPy.

  check_adjoint.py layout ADJ.h5 NSTEP
      pyasdf reads every adjoint source as SPECFEM would: AuxiliaryData/AdjointSources/
      NET_STA_BX{Z,N,E}, 1-D float32 of NSTEP samples, all three per station, pytomo3d's
      attributes. Prints {"stations": n, "sources": n}.
  check_adjoint.py formula OBS.h5 SYN.h5 ADJ.h5 RECORDS.json
      recomputes windows, L2 misfits and adjoint sources with NumPy from the two inputs (each
      with one tag, on the same grid, not rotated) and prints the largest differences.
"""
import json, sys, warnings
import numpy as np
import pyasdf

warnings.simplefilter("ignore")
HALF_WINDOW, TAPER = 20.0, 0.15
PARAMS = {"dt", "starttime", "misfit", "adjoint_source_type", "min_period", "max_period", "latitude", "longitude",
          "elevation_in_m", "depth_in_m", "station_id", "component", "location", "units"}


def layout(path, nstep):
    ds = pyasdf.ASDFDataSet(path, mode="r")
    adj = ds.auxiliary_data.AdjointSources
    names = adj.list()
    stations = sorted({n.rsplit("_", 1)[0] for n in names})
    for s in stations:
        for c in "ZNE":
            a = adj[f"{s}_BX{c}"]
            assert a.data.dtype == np.float32 and a.data.shape == (nstep,), (s, c, a.data.dtype, a.data.shape)
            assert set(a.parameters) == PARAMS, sorted(a.parameters)
            assert a.parameters["component"] == "BX" + c and a.parameters["units"] == "m"
            assert a.parameters["station_id"] == s.replace("_", ".")
    print(json.dumps({"stations": len(stations), "sources": len(names)}))


def taper(n):
    ramp = int(np.floor(n * TAPER / 2.0 + 0.5))
    k = np.minimum(np.arange(n), n - 1 - np.arange(n))
    w = np.ones(n)
    inside = k < ramp
    w[inside] = 0.5 - 0.5 * np.cos(np.pi * k[inside] / ramp)
    return w


def formula(obs_path, syn_path, adj_path, records_path):
    obs, syn = pyasdf.ASDFDataSet(obs_path, mode="r"), pyasdf.ASDFDataSet(syn_path, mode="r")
    adj_ds = pyasdf.ASDFDataSet(adj_path, mode="r")
    adj = adj_ds.auxiliary_data.AdjointSources
    records = json.load(open(records_path))["records"]
    worst_misfit, worst_source, checked = 0.0, 0.0, 0
    for sta in syn.waveforms.list():
        if sta not in obs.waveforms.list():
            continue
        (otag,), (stag,) = obs.waveforms[sta].get_waveform_tags(), syn.waveforms[sta].get_waveform_tags()
        total = 0.0
        for s_tr in syn.waveforms[sta][stag]:
            c = s_tr.stats.channel[-1]
            d_tr = obs.waveforms[sta][otag].select(component=c)[0]
            s, d, dt = s_tr.data.astype(np.float64), d_tr.data.astype(np.float64), s_tr.stats.delta
            peak = int(np.argmax(np.abs(s)))
            half = int(round(HALF_WINDOW / dt))
            left, right = max(0, peak - half), min(len(s), peak + half + 1)
            w = taper(right - left)
            diff = s[left:right] - d[left:right]
            source = np.zeros(len(s))
            source[left:right] = w * w * diff
            misfit = 0.5 * np.trapezoid((w * diff) ** 2, dx=dt)
            total += misfit
            window = [x for x in records[sta]["windows"] if x["channel_id"] == s_tr.id][0]
            assert (window["left_index"], window["right_index"]) == (left, right), (sta, c, window, left, right)
            worst_misfit = max(worst_misfit, abs(window["misfit"] - misfit) / max(abs(misfit), 1e-300))
            stored = adj[f"{sta.replace('.', '_')}_BX{c}"].data[()].astype(np.float64)
            peak_abs = max(np.abs(source).max(), 1e-300)
            worst_source = max(worst_source, float(np.abs(stored - source.astype(np.float32)).max() / peak_abs))
            checked += 1
        worst_misfit = max(worst_misfit, abs(records[sta]["misfit"] - total) / max(abs(total), 1e-300))
    print(json.dumps({"components": checked, "misfit_relative": worst_misfit, "source_relative_to_peak": worst_source}))


if __name__ == "__main__":
    if sys.argv[1] == "layout":
        layout(sys.argv[2], int(sys.argv[3]))
    else:
        formula(*sys.argv[2:6])
