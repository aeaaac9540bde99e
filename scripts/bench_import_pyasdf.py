#!/usr/bin/env python3
"""The pyasdf side of scripts/bench_import.sh, and the archive it imports.

  bench_import_pyasdf.py make ROOT STATIONS HOURS   An SDS tree written by ObsPy: STATIONS x 3
                                                   channels (HHZ/HHN/HHE) x HOURS from 2020-01-01
                                                   at 100 Hz, Steim-2, 512-byte records (a random
                                                   walk, as the ASDF benchmarks), plus a StationXML.
  bench_import_pyasdf.py import OUT.h5 ROOT         What users run today: ObsPy's read of every
                                                   file and pyasdf's add_waveforms (gzip-3),
                                                   with add_stationxml, one process.
"""
import glob, os, sys, warnings

import numpy as np

warnings.simplefilter("ignore")


def make(root, stations, hours):
    import obspy
    from obspy import UTCDateTime
    from obspy.core.inventory import Channel, Inventory, Network, Site, Station
    rng = np.random.default_rng(3)
    t0 = UTCDateTime(2020, 1, 1)
    n = int(hours * 3600 * 100)
    for s in range(stations):
        sta = f"S{s:03d}"
        for cha in ("HHZ", "HHN", "HHE"):
            data = np.cumsum(rng.integers(-200, 201, n)).astype(np.int32)
            tr = obspy.Trace(data)
            tr.stats.network, tr.stats.station, tr.stats.channel = "XX", sta, cha
            tr.stats.starttime, tr.stats.sampling_rate = t0, 100.0
            path = os.path.join(root, "2020", "XX", sta, f"{cha}.D", f"XX.{sta}..{cha}.D.2020.001")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            obspy.Stream([tr]).write(path, format="MSEED", encoding="STEIM2", reclen=512)
    net = Network("XX", stations=[Station(f"S{s:03d}", 10.0, 20.0 + s * 0.01, 100.0, site=Site("s"), channels=[
        Channel(c, "", 10.0, 20.0 + s * 0.01, 100.0, 0.0, sample_rate=100.0) for c in ("HHZ", "HHN", "HHE")]) for s in range(stations)])
    Inventory(networks=[net], source="bench").write(os.path.join(root, "stations.xml"), format="STATIONXML")


def import_pyasdf(out, root):
    import obspy
    import pyasdf
    if os.path.exists(out):
        os.remove(out)
    with pyasdf.ASDFDataSet(out, mode="w", compression="gzip-3") as ds:
        ds.add_stationxml(os.path.join(root, "stations.xml"))
        for f in sorted(glob.glob(os.path.join(root, "2*", "*", "*", "*.D", "*"))):
            ds.add_waveforms(obspy.read(f, format="MSEED"), tag="raw_recording")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        import_pyasdf(sys.argv[2], sys.argv[3])
