"""ObsPy's geodetics on the pairs in argv[1] (JSON list of [lat1, lon1, lat2, lon2]); writes
[[distance_m, azimuth, back_azimuth, locations2degrees], ...] as JSON to argv[2]. ObsPy must use
geographiclib (its "geo" extra), whose numbers asdf::geodetics reproduces."""
import json
import sys

import obspy.geodetics.base as base
from obspy.geodetics import gps2dist_azimuth, locations2degrees

assert base.HAS_GEOGRAPHICLIB, "ObsPy without geographiclib uses Vincenty; install geographiclib"
pairs = json.load(open(sys.argv[1]))
out = []
for lat1, lon1, lat2, lon2 in pairs:
    d, az, baz = gps2dist_azimuth(lat1, lon1, lat2, lon2)
    out.append([d, az, baz, float(locations2degrees(lat1, lon1, lat2, lon2))])
json.dump(out, open(sys.argv[2], "w"))
