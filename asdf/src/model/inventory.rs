//! `Inventory`: station metadata parsed from FDSN StationXML, as ObsPy's `Inventory`.

use super::response::Response;
use super::time::UtcTime;

/// Parsed FDSN StationXML: networks, stations, channels and their responses.
///
/// ```
/// use asdf::Inventory;
/// let xml = r#"<?xml version="1.0"?>
/// <FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.1">
///   <Source>doc</Source>
///   <Network code="XX"><Station code="A"><Latitude>1</Latitude><Longitude>2</Longitude><Elevation>3</Elevation>
///     <Channel code="HHZ" locationCode=""><Latitude>1</Latitude><Longitude>2</Longitude><Elevation>3</Elevation>
///       <Depth>0</Depth><Azimuth>0</Azimuth><Dip>-90</Dip><SampleRate>100</SampleRate></Channel>
///   </Station></Network>
/// </FDSNStationXML>"#;
/// let inv = Inventory::from_stationxml(xml.as_bytes()).unwrap();
/// assert_eq!(inv.networks[0].stations[0].channels[0].dip, Some(-90.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// Who made the document (StationXML `Source`).
    pub source: String,
    /// StationXML `Sender`.
    pub sender: Option<String>,
    /// The program that wrote it (StationXML `Module`).
    pub module: Option<String>,
    /// When it was written (StationXML `Created`).
    pub created: Option<UtcTime>,
    /// StationXML schema version (e.g. `1.1`).
    pub schema_version: String,
    /// The networks.
    pub networks: Vec<Network>,
}

/// A network and its stations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// Network code.
    pub code: String,
    /// Start of operation.
    pub start_date: Option<UtcTime>,
    /// End of operation, if it ended.
    pub end_date: Option<UtcTime>,
    /// `open`, `closed` or `partial`.
    pub restricted_status: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// The stations.
    pub stations: Vec<Station>,
}

/// A station epoch and its channels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Station {
    /// Station code.
    pub code: String,
    /// Start of operation.
    pub start_date: Option<UtcTime>,
    /// End of operation, if it ended.
    pub end_date: Option<UtcTime>,
    /// `open`, `closed` or `partial`.
    pub restricted_status: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Latitude in degrees (WGS84).
    pub latitude: f64,
    /// Longitude in degrees (WGS84).
    pub longitude: f64,
    /// Metres.
    pub elevation: f64,
    /// The site's name.
    pub site_name: String,
    /// When the station was created.
    pub creation_date: Option<UtcTime>,
    /// The channels.
    pub channels: Vec<Channel>,
}

/// A channel epoch: orientation, sampling and instrument response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Channel {
    /// Channel code (e.g. `BHZ`).
    pub code: String,
    /// Location code (may be empty).
    pub location_code: String,
    /// Start of this channel epoch.
    pub start_date: Option<UtcTime>,
    /// End of this channel epoch, if it ended.
    pub end_date: Option<UtcTime>,
    /// `open`, `closed` or `partial`.
    pub restricted_status: Option<String>,
    /// Latitude in degrees (WGS84).
    pub latitude: f64,
    /// Longitude in degrees (WGS84).
    pub longitude: f64,
    /// Metres.
    pub elevation: f64,
    /// Metres below the surface.
    pub depth: f64,
    /// Degrees clockwise from north.
    pub azimuth: Option<f64>,
    /// Degrees down from horizontal.
    pub dip: Option<f64>,
    /// Samples per second.
    pub sample_rate: Option<f64>,
    /// The sensor's description.
    pub sensor_description: Option<String>,
    /// The full instrument response.
    pub response: Option<Response>,
}

impl Channel {
    /// Whether this channel epoch covers `t` (open-ended dates cover everything).
    pub fn is_active(&self, t: UtcTime) -> bool {
        self.start_date.is_none_or(|s| s <= t) && self.end_date.is_none_or(|e| t <= e)
    }
}

/// Station coordinates as pyasdf's `coordinates` gives them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Coordinates {
    /// Latitude in degrees (WGS84).
    pub latitude: f64,
    /// Longitude in degrees (WGS84).
    pub longitude: f64,
    /// Elevation above sea level in metres.
    pub elevation_in_m: f64,
}

impl Inventory {
    /// The channel epoch for `NET.STA.LOC.CHA` active at `t`.
    pub fn channel(&self, id: &str, t: UtcTime) -> Option<&Channel> {
        let mut p = id.splitn(4, '.');
        let (net, sta, loc, cha) = (p.next()?, p.next()?, p.next()?, p.next()?);
        self.networks
            .iter()
            .filter(|n| n.code == net)
            .flat_map(|n| n.stations.iter().filter(|s| s.code == sta))
            .flat_map(|s| s.channels.iter())
            .find(|c| c.location_code == loc && c.code == cha && c.is_active(t))
    }

    /// Coordinates of the first station epoch, if any.
    pub fn coordinates(&self) -> Option<Coordinates> {
        let s = self.networks.iter().flat_map(|n| n.stations.iter()).next()?;
        Some(Coordinates { latitude: s.latitude, longitude: s.longitude, elevation_in_m: s.elevation })
    }

    /// `(network, station)` codes of every station, in document order, without repeats.
    pub fn station_codes(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for n in &self.networks {
            for s in &n.stations {
                let key = (n.code.clone(), s.code.clone());
                if !out.contains(&key) {
                    out.push(key);
                }
            }
        }
        out
    }

    /// A copy holding only station `net.sta` (pyasdf's `isolate_and_merge_station`).
    pub fn isolate_station(&self, net: &str, sta: &str) -> Inventory {
        let mut inv = Inventory { networks: Vec::new(), ..self.clone() };
        for n in self.networks.iter().filter(|n| n.code == net) {
            let stations: Vec<Station> = n.stations.iter().filter(|s| s.code == sta).cloned().collect();
            if !stations.is_empty() {
                inv.networks.push(Network { stations, ..n.clone() });
            }
        }
        inv
    }

    /// Merges another inventory into this one as pyasdf does: networks with the same code are
    /// merged; stations only when every attribute but dates and channels is identical; duplicate
    /// channels (same location, code, start and end) are dropped.
    pub fn merge(&mut self, other: Inventory) {
        for net in other.networks {
            match self.networks.iter_mut().find(|n| n.code == net.code) {
                None => self.networks.push(net),
                Some(mine) => {
                    for sta in net.stations {
                        let same = mine.stations.iter_mut().find(|s| {
                            s.code == sta.code
                                && s.latitude == sta.latitude
                                && s.longitude == sta.longitude
                                && s.elevation == sta.elevation
                                && s.site_name == sta.site_name
                                && s.restricted_status == sta.restricted_status
                                && s.description == sta.description
                        });
                        match same {
                            None => mine.stations.push(sta),
                            Some(s) => {
                                for ch in sta.channels {
                                    let dup = s.channels.iter().any(|c| {
                                        c.location_code == ch.location_code
                                            && c.code == ch.code
                                            && c.start_date == ch.start_date
                                            && c.end_date == ch.end_date
                                    });
                                    if !dup {
                                        s.channels.push(ch);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
