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
    pub source: String,
    pub sender: Option<String>,
    pub module: Option<String>,
    pub created: Option<UtcTime>,
    pub schema_version: String,
    pub networks: Vec<Network>,
}

/// A network and its stations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub code: String,
    pub start_date: Option<UtcTime>,
    pub end_date: Option<UtcTime>,
    pub restricted_status: Option<String>,
    pub description: Option<String>,
    pub stations: Vec<Station>,
}

/// A station epoch and its channels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Station {
    pub code: String,
    pub start_date: Option<UtcTime>,
    pub end_date: Option<UtcTime>,
    pub restricted_status: Option<String>,
    pub description: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// Metres.
    pub elevation: f64,
    pub site_name: String,
    pub creation_date: Option<UtcTime>,
    pub channels: Vec<Channel>,
}

/// A channel epoch: orientation, sampling and instrument response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Channel {
    pub code: String,
    pub location_code: String,
    pub start_date: Option<UtcTime>,
    pub end_date: Option<UtcTime>,
    pub restricted_status: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// Metres.
    pub elevation: f64,
    /// Metres below the surface.
    pub depth: f64,
    /// Degrees clockwise from north.
    pub azimuth: Option<f64>,
    /// Degrees down from horizontal.
    pub dip: Option<f64>,
    pub sample_rate: Option<f64>,
    pub sensor_description: Option<String>,
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
    pub latitude: f64,
    pub longitude: f64,
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
