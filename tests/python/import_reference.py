#!/usr/bin/env python3
"""References for `asdf import`, driven by tests/tests/import.rs.

  import_reference.py corpus-dir [sac]        ObsPy's own miniSEED (or SAC) test files (their directory).
  import_reference.py obspy FILE...           What ObsPy's read makes of each file, as JSON: per
                                              trace id, start (ns), rate, dtype, npts and a
                                              checksum of the samples; or the error.
  import_reference.py ours TAG OURS.h5...     The same for the traces of ASDF files, read by
                                              pyasdf (with its validate() report, StationXML
                                              channels per station, events and event ids).
  import_reference.py via-pyasdf DIR FORMAT FILE...  ObsPy's read (MSEED or SAC) of each file, written by pyasdf's
                                              add_waveforms (into DIR) and read back by pyasdf.
  import_reference.py obspy-joined FILE...    ObsPy's read of all files, traces joined across
                                              files where continuous (asdf import's rule).
  import_reference.py pyasdf OUT.h5 TAG FILE...   pyasdf's add_waveforms of ObsPy's read of each
                                              file: the names and attributes it writes, as JSON.
  import_reference.py make-archive DIR        An SDS tree written by ObsPy: 3 stations x 2 channels
                                              x 2 days at 20 Hz, in six encodings and three record
                                              lengths, with a gap, an overlap and a rate change;
                                              plus StationXML and QuakeML files.
"""
import contextlib, hashlib, io, json, os, sys, warnings

import numpy as np
import obspy
from obspy import UTCDateTime

warnings.simplefilter("ignore")


def digest(data):
    return hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()[:16]


def describe(st):
    out = []
    for tr in st:
        out.append({
            "id": tr.id,
            # The start as pyasdf stores it (`int(round(timestamp * 1e9))`), read back the same way.
            "start_ns": int(round(tr.stats.starttime.timestamp * 1e9)),
            "rate": float(tr.stats.sampling_rate),
            "dtype": str(tr.data.dtype.newbyteorder("=")),
            "npts": int(tr.stats.npts),
            "sha": digest(tr.data.astype(tr.data.dtype.newbyteorder("="))),
        })
    out.sort(key=lambda t: (t["id"], t["start_ns"], t["npts"]))
    return out


def obspy_of(files):
    res = {}
    for f in files:
        try:
            st = obspy.read(f, format="MSEED")
            # Text (log) records are not waveforms: they are left out of ASDF imports.
            st.traces = [t for t in st if t.data.dtype.kind in "iuf"]
            res[f] = {"traces": describe(st)}
        except Exception as e:  # noqa: BLE001 - any failure is a reference outcome
            res[f] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(res))


def ours_one(path, tag):
    import pyasdf
    with pyasdf.ASDFDataSet(path, mode="r") as ds:
        with contextlib.redirect_stdout(io.StringIO()) as buf:
            ds.validate()
        report = buf.getvalue()
        st = obspy.Stream()
        events = {}
        for sta in ds.waveforms.list():
            if tag in ds.waveforms[sta].get_waveform_tags():
                for tr in ds.waveforms[sta][tag]:
                    st.append(tr)
                    events[tr.id] = [str(e) for e in tr.stats.asdf.get("event_ids", [])]
        stationxml = {sta: len(ds.waveforms[sta].StationXML.get_contents()["channels"]) for sta in ds.waveforms.list() if "StationXML" in ds.waveforms[sta]}
        n_events = len(ds.events)
    return {"traces": describe(st), "validate": report, "stationxml_channels": stationxml, "events": n_events, "event_ids": events}


def ours(tag, paths):
    res = {}
    for p in paths:
        try:
            res[p] = ours_one(p, tag)
        except Exception as e:  # noqa: BLE001
            res[p] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(res))


def via_pyasdf(files, workdir, fmt):
    """ObsPy's read of each file written by pyasdf's add_waveforms and read back: what users
    get today, file by file."""
    import pyasdf
    res = {}
    for i, f in enumerate(files):
        try:
            st = obspy.read(f, format=fmt)
            st.traces = [t for t in st if t.data.dtype.kind in "iuf"]
            out = os.path.join(workdir, f"py{i}.h5")
            with pyasdf.ASDFDataSet(out, mode="w") as ds:
                ds.add_waveforms(st, tag="raw_recording")
            res[f] = ours_one(out, "raw_recording")
        except Exception as e:  # noqa: BLE001
            res[f] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(res))


def obspy_joined(files):
    """ObsPy's read of every file, traces of one id joined where one starts a sample period
    after the other ends (within half a period) with the same rate and dtype: the rule
    `asdf import` applies across day files."""
    st = obspy.Stream()
    for f in files:
        st += obspy.read(f, format="MSEED")
    st.sort(keys=["network", "station", "location", "channel", "starttime"])
    out = []
    for tr in st:
        last = out[-1] if out else None
        if (last is not None and last.id == tr.id and last.data.dtype == tr.data.dtype
                and abs(1 - last.stats.sampling_rate / tr.stats.sampling_rate) < 1e-4
                and abs(tr.stats.starttime - last.stats.endtime - last.stats.delta) <= 0.5 * last.stats.delta):
            last.data = np.concatenate([last.data, tr.data])
        else:
            out.append(tr.copy())
    print(json.dumps({"traces": describe(obspy.Stream(out))}))


def pyasdf_write(out, tag, files):
    import pyasdf
    with pyasdf.ASDFDataSet(out, mode="w") as ds:
        for f in files:
            ds.add_waveforms(obspy.read(f, format="MSEED"), tag=tag)
    import h5py
    names = {}
    with h5py.File(out, "r") as h:
        for sta in h["Waveforms"]:
            for name, d in h["Waveforms"][sta].items():
                if name == "StationXML":
                    continue
                names[f"{sta}/{name}"] = {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v) for k, v in d.attrs.items()}
                names[f"{sta}/{name}"]["dtype"] = str(d.dtype)
    print(json.dumps(names))


def make_archive(root):
    rng = np.random.default_rng(7)
    t0 = UTCDateTime(2020, 1, 1)
    rate = 20.0
    day = int(86400 * rate)
    encodings = [("STEIM2", np.int32, 512), ("STEIM1", np.int32, 4096), ("INT32", np.int32, 256),
                 ("FLOAT32", np.float32, 512), ("FLOAT64", np.float64, 4096), ("INT16", np.int16, 512)]
    k = 0
    for s in range(3):
        sta = f"S{s}"
        for cha in ("HHZ", "HHN"):
            enc, dtype, reclen = encodings[k % len(encodings)]
            k += 1
            walk = np.cumsum(rng.integers(-50, 51, 2 * day)).astype(np.float64)
            if dtype == np.int16:
                walk = np.clip(walk, -30000, 30000)
            data = walk.astype(dtype)
            segments = [(0, 2 * day, t0, rate)]
            if sta == "S0" and cha == "HHZ":
                # A gap of 10 s on day 1 and an overlap of 2 s on day 2.
                g = day // 2
                o = day + day // 3
                segments = [(0, g, t0, rate), (g + 200, o, t0 + (g + 200) / rate, rate), (o - 40, 2 * day, t0 + (o - 40) / rate, rate)]
            if sta == "S1" and cha == "HHN":
                # The rate changes at the day boundary (another trace, as ObsPy keeps it).
                segments = [(0, day, t0, rate), (day, 2 * day, t0 + day / rate, 40.0)]
            traces = []
            for a, b, start, r in segments:
                tr = obspy.Trace(data[a:b].copy())
                tr.stats.network, tr.stats.station, tr.stats.location, tr.stats.channel = "XX", sta, "", cha
                tr.stats.starttime, tr.stats.sampling_rate = start, r
                traces.append(tr)
            full = obspy.Stream(traces)
            for d in range(3):
                lo, hi = t0 + d * 86400, t0 + (d + 1) * 86400
                part = full.slice(lo, hi - 0.5 / rate, nearest_sample=False)
                if not len(part):
                    continue
                path = os.path.join(root, str(lo.year), "XX", sta, f"{cha}.D", f"XX.{sta}..{cha}.D.{lo.year}.{lo.julday:03d}")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                part.write(path, format="MSEED", encoding=enc, reclen=reclen)
    # Metadata: one StationXML file for S0 and S1, one for S2; one event.
    from obspy.core.inventory import Inventory, Network, Station, Channel, Site
    for name, stas in (("a.xml", ["S0", "S1"]), ("b.xml", ["S2"])):
        net = Network("XX", stations=[Station(s, 10.0 + i, 20.0, 100.0, site=Site(s), channels=[
            Channel(c, "", 10.0 + i, 20.0, 100.0, 0.0, sample_rate=rate) for c in ("HHZ", "HHN")]) for i, s in enumerate(stas)])
        Inventory(networks=[net], source="test").write(os.path.join(root, name), format="STATIONXML")
    from obspy.core.event import Catalog, Event, Origin, Magnitude, ResourceIdentifier
    ev = Event(resource_id=ResourceIdentifier("smi:local/event/import"), origins=[Origin(time=t0 + 3600, latitude=1.0, longitude=2.0, depth=10000.0)],
               magnitudes=[Magnitude(mag=5.5)])
    Catalog(events=[ev]).write(os.path.join(root, "events.xml"), format="QUAKEML")
    print(json.dumps({"root": root}))


def corpus_dir(kind):
    if kind == "sac":
        import obspy.io.sac.tests as t
    else:
        import obspy.io.mseed.tests as t
    print(os.path.join(os.path.dirname(t.__file__), "data"))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "obspy":
        obspy_of(sys.argv[2:])
    elif mode == "ours":
        ours(sys.argv[2], sys.argv[3:])
    elif mode == "via-pyasdf":
        via_pyasdf(sys.argv[4:], sys.argv[2], sys.argv[3])
    elif mode == "obspy-joined":
        obspy_joined(sys.argv[2:])
    elif mode == "pyasdf":
        pyasdf_write(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif mode == "make-archive":
        make_archive(sys.argv[2])
    elif mode == "corpus-dir":
        corpus_dir(sys.argv[2] if len(sys.argv) > 2 else "mseed")
    else:
        sys.exit(f"unknown mode {mode}")
