"""ObsPy's reading of its own QuakeML test files: for each file that ObsPy reads, the events with
the fields asdf::Events parses, as JSON on stdout ({file: [event, ...]})."""
import glob
import json
import os
import warnings

import obspy
from obspy import read_events

warnings.simplefilter("ignore")
data = os.path.join(os.path.dirname(obspy.__file__), "io", "quakeml", "tests", "data")
out = {}
for path in sorted(glob.glob(os.path.join(data, "*.xml"))):
    try:
        cat = read_events(path, format="QUAKEML")
    except Exception:
        continue
    events = []
    for e in cat:
        events.append({
            "resource_id": str(e.resource_id),
            "event_type": e.event_type,
            "preferred_origin_id": str(e.preferred_origin_id) if e.preferred_origin_id else None,
            "preferred_magnitude_id": str(e.preferred_magnitude_id) if e.preferred_magnitude_id else None,
            "origins": [{
                "resource_id": str(o.resource_id),
                "time_ns": o.time.ns if o.time is not None else None,
                "latitude": o.latitude,
                "longitude": o.longitude,
                "depth": o.depth,
            } for o in e.origins],
            "magnitudes": [{
                "resource_id": str(m.resource_id),
                "mag": m.mag,
                "magnitude_type": m.magnitude_type,
                "origin_id": str(m.origin_id) if m.origin_id else None,
            } for m in e.magnitudes],
        })
    out[path] = events
print(json.dumps(out))
