#!/usr/bin/env python3
"""Interop checks driven by the Rust tests.

  check_interop.py read-ours OURS.h5 INPUT.h5   pyasdf opens and validates our output of the
                                                deconvolve example, and ObsPy's own processing of
                                                the same input agrees with it.
  check_interop.py write-pyasdf OUT.h5          pyasdf writes a file covering dtypes, byte orders,
                                                labels, ids, provenance and auxiliary data, and
                                                prints a JSON description of it for Rust to check.
"""
import contextlib, json, sys, warnings
import numpy as np
import obspy
import pyasdf

warnings.simplefilter("ignore")


def read_ours(ours, inp):
    out = pyasdf.ASDFDataSet(ours, mode="r")
    src = pyasdf.ASDFDataSet(inp, mode="r")
    with contextlib.redirect_stdout(sys.stderr):
        out.validate()  # prints its report; keep stdout for our JSON
    worst = 0.0
    for sta in src.waveforms.list():
        st = src.waveforms[sta].raw_recording
        inv = src.waveforms[sta].StationXML
        st.detrend("linear")
        st.taper(max_percentage=0.05, type="hann")
        st.remove_response(inventory=inv, output="VEL", pre_filt=(0.05, 0.1, 20.0, 25.0), water_level=60)
        st.filter("bandpass", freqmin=1.0, freqmax=10.0, corners=4, zerophase=True)
        mine = out.waveforms[sta].processed
        assert len(mine) == len(st), (sta, len(mine), len(st))
        for a, b in zip(st, mine):
            assert a.id == b.id and a.stats.npts == b.stats.npts and a.stats.sampling_rate == b.stats.sampling_rate
            assert b.data.dtype == np.float64
            assert [str(e) for e in b.stats.asdf.event_ids] == ["smi:local/event/1"]
            worst = max(worst, float(np.abs(a.data - b.data).max() / np.abs(a.data).max()))
    assert worst <= 1e-6, worst
    print(json.dumps({"stations": len(src.waveforms.list()), "max_relative_difference": worst}))


def summary(path):
    """What pyasdf sees in a file: per tag the traces' ids, dtypes, rates and lengths."""
    with pyasdf.ASDFDataSet(path, mode="r") as ds:
        with contextlib.redirect_stdout(sys.stderr):
            ds.validate()
        out = {"stations": len(ds.waveforms.list()), "tags": {}}
        for sta in ds.waveforms.list():
            for tag in ds.waveforms[sta].get_waveform_tags():
                for tr in ds.waveforms[sta][tag]:
                    out["tags"].setdefault(tag, []).append(
                        {"id": tr.id, "dtype": tr.data.dtype.str[1:], "rate": tr.stats.sampling_rate,
                         "npts": tr.stats.npts, "first": float(tr.data[0]),
                         "event_ids": [str(e) for e in tr.stats.asdf.event_ids]})
        for v in out["tags"].values():
            v.sort(key=lambda d: d["id"])
    print(json.dumps(out))


def write_pyasdf(path, version="1.0.3", compression="gzip-3"):
    """Every dtype pyasdf allows at `version` (both byte orders), labels, ids, a provenance record,
    an event, StationXML, a gappy channel, a sub-second trace and auxiliary data."""
    import prov.model

    t0 = obspy.UTCDateTime(2012, 4, 4, 14, 21, 42, 310000)
    desc = []
    dtypes = ["<i2", ">i2", "<i4", ">i4", "<i8", ">f4", "<f4", ">f8", "<f8"]
    if version == "1.0.0":
        dtypes = [d for d in dtypes if "i2" not in d]
    compression = None if compression == "none" else compression
    doc = prov.model.ProvDocument()
    doc.add_namespace("seis_prov", "http://seisprov.org/seis_prov/0.1/#")
    doc.entity("seis_prov:sp001_wf_c17dd1f", other_attributes=(("prov:label", "Waveform Trace"),
                                                               ("prov:type", "seis_prov:waveform_trace")))
    prov_id = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_c17dd1f"
    with pyasdf.ASDFDataSet(path, mode="w", format_version=version, compression=compression) as ds:
        ds.add_provenance_document(doc, name="processing")
        ev = obspy.core.event.Event(resource_id="smi:local/event/quake")
        ev.origins.append(obspy.core.event.Origin(resource_id="smi:local/origin/1", time=t0, latitude=1, longitude=2))
        ds.add_quakeml(obspy.core.event.Catalog(events=[ev]))
        for i, dt in enumerate(dtypes):
            data = (np.arange(1000) * (i + 1) - 300).astype(dt)
            tr = obspy.Trace(data, header=dict(network="XX", station="S%d" % i, location="00", channel="BHZ",
                                               sampling_rate=20.0, starttime=t0))
            ds.add_waveforms(tr, tag="raw", labels=["a", "b c"], event_id="smi:local/event/%d" % i,
                             provenance_id=prov_id)
            desc.append({"station": "XX.S%d" % i, "dtype": dt, "first": float(data[0]), "last": float(data[-1]),
                         "sum": float(data.astype(np.float64).sum())})
        inv = obspy.read_inventory()  # ObsPy's example inventory: BW.RJOB, GR.FUR, GR.WET
        ds.add_stationxml(inv)
        for k, start in enumerate([t0, t0 + 100]):  # a gappy channel: two pieces 50 s apart
            piece = obspy.Trace(np.full(1000, k + 1, dtype="<f8"), header=dict(network="GR", station="FUR",
                                channel="BHE", sampling_rate=20.0, starttime=start))
            ds.add_waveforms(piece, tag="gappy")
        short = obspy.Trace(np.ones(5, dtype=np.float64), header=dict(network="XX", station="S0", channel="BHN",
                                                                     sampling_rate=10.0, starttime=t0 + 0.05))
        ds.add_waveforms(short, tag="short")
        ds.add_auxiliary_data(np.arange(6, dtype=np.float64).reshape(2, 3), data_type="Windows", path="XX_S0/first",
                              parameters={"note": "hi", "n": 3, "dt": 0.5})
    print(json.dumps({"traces": desc, "starttime_attr": int(round(t0.timestamp * 1e9)), "provenance_id": prov_id}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "read-ours":
        read_ours(sys.argv[2], sys.argv[3])
    elif cmd == "summary":
        summary(sys.argv[2])
    elif cmd == "write-pyasdf":
        write_pyasdf(*sys.argv[2:])
    else:
        sys.exit("unknown command %r" % cmd)
