//! FDSN StationXML 1.x: parsing into [`Inventory`] and writing it back.

use std::fmt::Write as _;

use roxmltree::Node;

use crate::model::inventory::{Channel, Inventory, Network, Station};
use crate::model::response::*;
use crate::model::time::UtcTime;

/// A StationXML document that could not be understood.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("bad StationXML: {0}")]
pub struct StationXmlError(pub String);

type R<T> = Result<T, StationXmlError>;

fn err<T>(msg: impl Into<String>) -> R<T> {
    Err(StationXmlError(msg.into()))
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text(n: Node<'_, '_>) -> String {
    n.text().unwrap_or("").trim().to_string()
}

fn child_text(n: Node<'_, '_>, name: &str) -> Option<String> {
    child(n, name).map(text)
}

fn float(n: Node<'_, '_>, what: &str) -> R<f64> {
    let t = text(n);
    t.parse::<f64>().or_else(|_| err(format!("{what}: {t:?} is not a number")))
}

fn child_float(n: Node<'_, '_>, name: &str, ctx: &str) -> R<Option<f64>> {
    child(n, name).map(|c| float(c, &format!("{ctx}/{name}"))).transpose()
}

fn req_float(n: Node<'_, '_>, name: &str, ctx: &str) -> R<f64> {
    child_float(n, name, ctx)?.map_or_else(|| err(format!("{ctx}: missing <{name}>")), Ok)
}

fn date_attr(n: Node<'_, '_>, name: &str, ctx: &str) -> R<Option<UtcTime>> {
    n.attribute(name)
        .map(|s| s.parse::<UtcTime>().map_err(|e| StationXmlError(format!("{ctx} {name}: {e}"))))
        .transpose()
}

fn units(n: Node<'_, '_>, name: &str) -> String {
    child(n, name).and_then(|u| child_text(u, "Name")).unwrap_or_default()
}

/// Splits a StationXML document into one document per station (`NET.STA`), each the original
/// text with the other stations (and the networks left without any) cut out: every byte of what
/// it keeps is the input's, unlike a document written again from the parsed model. A station
/// listed in two networks' entries of the same code is kept in both places of its document.
///
/// ```
/// let xml = br#"<FDSNStationXML schemaVersion="1.2"><Source>s</Source>
/// <Network code="XX"><Station code="A" x="1"/><Station code="B"/></Network></FDSNStationXML>"#;
/// let docs = asdf::format::station_documents(xml)?;
/// assert_eq!(docs[0].0, "XX.A");
/// assert_eq!(String::from_utf8(docs[0].1.clone()).unwrap(),
///     "<FDSNStationXML schemaVersion=\"1.2\"><Source>s</Source>\n<Network code=\"XX\"><Station code=\"A\" x=\"1\"/></Network></FDSNStationXML>");
/// # Ok::<(), asdf::format::StationXmlError>(())
/// ```
pub fn station_documents(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, StationXmlError> {
    let s = std::str::from_utf8(bytes).map_err(|e| StationXmlError(format!("not UTF-8: {e}")))?;
    let doc = crate::xml::parse(s).map_err(|e| StationXmlError(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "FDSNStationXML" {
        return err(format!("root element is <{}>, expected <FDSNStationXML>", root.tag_name().name()));
    }
    // Every station's element range, with its network's.
    let mut stations: Vec<(String, std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for n in children(root, "Network") {
        let net = n.attribute("code").unwrap_or("");
        for st in children(n, "Station") {
            stations.push((format!("{net}.{}", st.attribute("code").unwrap_or("")), st.range(), n.range()));
        }
    }
    let mut names: Vec<String> = stations.iter().map(|(name, _, _)| name.clone()).collect();
    names.sort();
    names.dedup();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        // Cut: other stations of a network that keeps one of ours; whole networks without any.
        let keep_networks: Vec<std::ops::Range<usize>> = stations.iter().filter(|(n, _, _)| *n == name).map(|(_, _, net)| net.clone()).collect();
        let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
        for (n, st, net) in &stations {
            if *n == name {
                continue;
            }
            if keep_networks.contains(net) {
                cuts.push(with_leading_space(s, st.clone()));
            } else if !cuts.iter().any(|c| c.start <= net.start && net.end <= c.end) {
                cuts.push(with_leading_space(s, net.clone()));
            }
        }
        cuts.sort_by_key(|c| c.start);
        let mut text = String::with_capacity(s.len());
        let mut at = 0;
        for c in cuts {
            if c.start >= at {
                text.push_str(&s[at..c.start]);
                at = c.end;
            }
        }
        text.push_str(&s[at..]);
        out.push((name, text.into_bytes()));
    }
    Ok(out)
}

/// `range` widened to take the whitespace before it (the indentation of the element cut).
fn with_leading_space(s: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = s[..range.start].trim_end_matches([' ', '\t', '\n', '\r']).len();
    start..range.end
}

impl Inventory {
    /// Parses an FDSN StationXML document (1.0, 1.1 or 1.2).
    pub fn from_stationxml(bytes: &[u8]) -> Result<Inventory, StationXmlError> {
        let s = std::str::from_utf8(bytes).map_err(|e| StationXmlError(format!("not UTF-8: {e}")))?;
        let doc = crate::xml::parse(s.trim()).map_err(|e| StationXmlError(e.to_string()))?;
        let root = doc.root_element();
        if root.tag_name().name() != "FDSNStationXML" {
            return err(format!("root element is <{}>, expected <FDSNStationXML>", root.tag_name().name()));
        }
        let mut inv = Inventory {
            source: child_text(root, "Source").unwrap_or_default(),
            sender: child_text(root, "Sender"),
            module: child_text(root, "Module"),
            created: child_text(root, "Created").and_then(|t| t.parse().ok()),
            schema_version: root.attribute("schemaVersion").unwrap_or("1.1").to_string(),
            networks: Vec::new(),
        };
        for n in children(root, "Network") {
            inv.networks.push(parse_network(n)?);
        }
        Ok(inv)
    }

    /// Writes the inventory as FDSN StationXML 1.1.
    pub fn to_stationxml(&self) -> Vec<u8> {
        let mut w = String::new();
        w.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
        let _ = writeln!(w, "<FDSNStationXML xmlns=\"http://www.fdsn.org/xml/station/1\" schemaVersion=\"{}\">", esc(&self.schema_version));
        let _ = writeln!(w, "  <Source>{}</Source>", esc(&self.source));
        opt_el(&mut w, 1, "Sender", self.sender.as_deref());
        opt_el(&mut w, 1, "Module", self.module.as_deref());
        let created = self.created.map(|c| c.to_string()).unwrap_or_else(|| UtcTime::from_ns(0).to_string());
        let _ = writeln!(w, "  <Created>{created}</Created>");
        for n in &self.networks {
            write_network(&mut w, n);
        }
        w.push_str("</FDSNStationXML>\n");
        w.into_bytes()
    }
}

fn parse_network(n: Node<'_, '_>) -> R<Network> {
    let code = n.attribute("code").ok_or_else(|| StationXmlError("<Network> without code".into()))?.to_string();
    let ctx = format!("network {code}");
    let mut net = Network {
        start_date: date_attr(n, "startDate", &ctx)?,
        end_date: date_attr(n, "endDate", &ctx)?,
        restricted_status: n.attribute("restrictedStatus").map(str::to_string),
        description: child_text(n, "Description"),
        stations: Vec::new(),
        code,
    };
    for s in children(n, "Station") {
        net.stations.push(parse_station(s, &net.code)?);
    }
    Ok(net)
}

fn parse_station(s: Node<'_, '_>, net: &str) -> R<Station> {
    let code = s.attribute("code").ok_or_else(|| StationXmlError(format!("{net}: <Station> without code")))?.to_string();
    let ctx = format!("station {net}.{code}");
    let mut sta = Station {
        start_date: date_attr(s, "startDate", &ctx)?,
        end_date: date_attr(s, "endDate", &ctx)?,
        restricted_status: s.attribute("restrictedStatus").map(str::to_string),
        description: child_text(s, "Description"),
        latitude: req_float(s, "Latitude", &ctx)?,
        longitude: req_float(s, "Longitude", &ctx)?,
        elevation: req_float(s, "Elevation", &ctx)?,
        site_name: child(s, "Site").and_then(|x| child_text(x, "Name")).unwrap_or_default(),
        creation_date: child_text(s, "CreationDate").and_then(|t| t.parse().ok()),
        channels: Vec::new(),
        code,
    };
    for c in children(s, "Channel") {
        sta.channels.push(parse_channel(c, &ctx)?);
    }
    Ok(sta)
}

fn parse_channel(c: Node<'_, '_>, sta_ctx: &str) -> R<Channel> {
    let code = c.attribute("code").ok_or_else(|| StationXmlError(format!("{sta_ctx}: <Channel> without code")))?.to_string();
    let loc = c.attribute("locationCode").unwrap_or("").trim().to_string();
    let ctx = format!("{sta_ctx} channel {loc}.{code}");
    Ok(Channel {
        start_date: date_attr(c, "startDate", &ctx)?,
        end_date: date_attr(c, "endDate", &ctx)?,
        restricted_status: c.attribute("restrictedStatus").map(str::to_string),
        latitude: req_float(c, "Latitude", &ctx)?,
        longitude: req_float(c, "Longitude", &ctx)?,
        elevation: req_float(c, "Elevation", &ctx)?,
        depth: child_float(c, "Depth", &ctx)?.unwrap_or(0.0),
        azimuth: child_float(c, "Azimuth", &ctx)?,
        dip: child_float(c, "Dip", &ctx)?,
        sample_rate: child_float(c, "SampleRate", &ctx)?,
        sensor_description: child(c, "Sensor").and_then(|s| child_text(s, "Description")),
        response: child(c, "Response").map(|r| parse_response(r, &ctx)).transpose()?,
        code,
        location_code: loc,
    })
}

fn parse_response(r: Node<'_, '_>, ctx: &str) -> R<Response> {
    let mut resp = Response::default();
    if let Some(s) = child(r, "InstrumentSensitivity") {
        resp.instrument_sensitivity = Some(Sensitivity {
            value: req_float(s, "Value", ctx)?,
            frequency: child_float(s, "Frequency", ctx)?.unwrap_or(0.0),
            input_units: units(s, "InputUnits"),
            output_units: units(s, "OutputUnits"),
        });
    }
    if let Some(p) = child(r, "InstrumentPolynomial") {
        resp.instrument_polynomial = Some(parse_polynomial(p, ctx)?);
    }
    for st in children(r, "Stage") {
        resp.stages.push(parse_stage(st, ctx)?);
    }
    Ok(resp)
}

fn complex_list(n: Node<'_, '_>, name: &str, ctx: &str) -> R<Vec<Complex64>> {
    children(n, name)
        .map(|z| Ok(Complex64::new(req_float(z, "Real", ctx)?, req_float(z, "Imaginary", ctx)?)))
        .collect()
}

fn float_list(n: Node<'_, '_>, name: &str, ctx: &str) -> R<Vec<f64>> {
    children(n, name).map(|c| float(c, &format!("{ctx}/{name}"))).collect()
}

fn parse_polynomial(p: Node<'_, '_>, ctx: &str) -> R<Polynomial> {
    let mut coeffs: Vec<(u32, f64)> = Vec::new();
    for (i, c) in children(p, "Coefficient").enumerate() {
        let num = c.attribute("number").and_then(|n| n.parse().ok()).unwrap_or(i as u32);
        coeffs.push((num, float(c, &format!("{ctx} polynomial coefficient"))?));
    }
    coeffs.sort_by_key(|c| c.0);
    Ok(Polynomial {
        approximation_type: child_text(p, "ApproximationType").unwrap_or_else(|| "MACLAURIN".into()),
        frequency_lower_bound: child_float(p, "FrequencyLowerBound", ctx)?.unwrap_or(0.0),
        frequency_upper_bound: child_float(p, "FrequencyUpperBound", ctx)?.unwrap_or(0.0),
        approximation_lower_bound: child_float(p, "ApproximationLowerBound", ctx)?.unwrap_or(0.0),
        approximation_upper_bound: child_float(p, "ApproximationUpperBound", ctx)?.unwrap_or(0.0),
        maximum_error: child_float(p, "MaximumError", ctx)?.unwrap_or(0.0),
        coefficients: coeffs.into_iter().map(|c| c.1).collect(),
        input_units: units(p, "InputUnits"),
        output_units: units(p, "OutputUnits"),
    })
}

fn parse_stage(st: Node<'_, '_>, ctx: &str) -> R<Stage> {
    let number: u32 = st.attribute("number").and_then(|n| n.parse().ok()).unwrap_or(0);
    let ctx = format!("{ctx} stage {number}");
    let gain = match child(st, "StageGain") {
        Some(g) => Some((req_float(g, "Value", &ctx)?, child_float(g, "Frequency", &ctx)?.unwrap_or(0.0))),
        None => None,
    };
    let decimation = match child(st, "Decimation") {
        Some(d) => Some(Decimation {
            input_sample_rate: req_float(d, "InputSampleRate", &ctx)?,
            factor: child_text(d, "Factor").and_then(|f| f.parse().ok()).unwrap_or(1),
            offset: child_text(d, "Offset").and_then(|f| f.parse().ok()).unwrap_or(0),
            delay: child_float(d, "Delay", &ctx)?.unwrap_or(0.0),
            correction: child_float(d, "Correction", &ctx)?.unwrap_or(0.0),
        }),
        None => None,
    };
    let (kind, filt) = if let Some(pz) = child(st, "PolesZeros") {
        let tf = match child_text(pz, "PzTransferFunctionType").as_deref() {
            Some("LAPLACE (RADIANS/SECOND)") => PzTransferFunction::LaplaceRadians,
            Some("LAPLACE (HERTZ)") => PzTransferFunction::LaplaceHertz,
            Some("DIGITAL (Z-TRANSFORM)") => PzTransferFunction::DigitalZ,
            other => return err(format!("{ctx}: unknown PzTransferFunctionType {other:?}")),
        };
        let k = StageKind::PolesZeros(PolesZeros {
            transfer_function: tf,
            normalization_factor: child_float(pz, "NormalizationFactor", &ctx)?.unwrap_or(1.0),
            normalization_frequency: child_float(pz, "NormalizationFrequency", &ctx)?.unwrap_or(0.0),
            zeros: complex_list(pz, "Zero", &ctx)?,
            poles: complex_list(pz, "Pole", &ctx)?,
        });
        (k, Some(pz))
    } else if let Some(cf) = child(st, "Coefficients") {
        let tf = match child_text(cf, "CfTransferFunctionType").as_deref() {
            Some("ANALOG (RADIANS/SECOND)") => CfTransferFunction::AnalogRadians,
            Some("ANALOG (HERTZ)") => CfTransferFunction::AnalogHertz,
            Some("DIGITAL") => CfTransferFunction::Digital,
            other => return err(format!("{ctx}: unknown CfTransferFunctionType {other:?}")),
        };
        let k = StageKind::Coefficients(Coefficients {
            transfer_function: tf,
            numerators: float_list(cf, "Numerator", &ctx)?,
            denominators: float_list(cf, "Denominator", &ctx)?,
        });
        (k, Some(cf))
    } else if let Some(fir) = child(st, "FIR") {
        let symmetry = match child_text(fir, "Symmetry").as_deref() {
            Some("NONE") | None => Symmetry::None,
            Some("EVEN") => Symmetry::Even,
            Some("ODD") => Symmetry::Odd,
            Some(other) => return err(format!("{ctx}: unknown FIR symmetry {other:?}")),
        };
        let k = StageKind::Fir(Fir { symmetry, numerator_coefficients: float_list(fir, "NumeratorCoefficient", &ctx)? });
        (k, Some(fir))
    } else if let Some(p) = child(st, "Polynomial") {
        (StageKind::Polynomial(parse_polynomial(p, &ctx)?), Some(p))
    } else if let Some(rl) = child(st, "ResponseList") {
        let mut elements = Vec::new();
        for e in children(rl, "ResponseListElement") {
            elements.push(ResponseListElement {
                frequency: req_float(e, "Frequency", &ctx)?,
                amplitude: req_float(e, "Amplitude", &ctx)?,
                phase: req_float(e, "Phase", &ctx)?,
            });
        }
        (StageKind::ResponseList(elements), Some(rl))
    } else {
        (StageKind::Gain, None)
    };
    Ok(Stage {
        number,
        input_units: filt.map(|f| units(f, "InputUnits")).unwrap_or_default(),
        output_units: filt.map(|f| units(f, "OutputUnits")).unwrap_or_default(),
        gain,
        decimation,
        kind,
        name: filt.and_then(|f| f.attribute("name")).map(str::to_string),
    })
}

// ------------------------------------------------------------------------------------------------
// Writing

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn ind(w: &mut String, level: usize) {
    for _ in 0..level {
        w.push_str("  ");
    }
}

fn opt_el(w: &mut String, level: usize, name: &str, v: Option<&str>) {
    if let Some(v) = v {
        ind(w, level);
        let _ = writeln!(w, "<{name}>{}</{name}>", esc(v));
    }
}

fn num_el(w: &mut String, level: usize, name: &str, v: f64) {
    ind(w, level);
    let _ = writeln!(w, "<{name}>{}</{name}>", fmt_f(v));
}

/// Shortest round-trip decimal form.
fn fmt_f(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v:?}")
    }
}

fn date_attrs(start: Option<UtcTime>, end: Option<UtcTime>, restricted: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(t) = start {
        let _ = write!(s, " startDate=\"{t}\"");
    }
    if let Some(t) = end {
        let _ = write!(s, " endDate=\"{t}\"");
    }
    if let Some(r) = restricted {
        let _ = write!(s, " restrictedStatus=\"{}\"", esc(r));
    }
    s
}

fn units_el(w: &mut String, level: usize, name: &str, u: &str) {
    ind(w, level);
    let _ = writeln!(w, "<{name}><Name>{}</Name></{name}>", esc(u));
}

fn write_network(w: &mut String, n: &Network) {
    ind(w, 1);
    let _ = writeln!(w, "<Network code=\"{}\"{}>", esc(&n.code), date_attrs(n.start_date, n.end_date, n.restricted_status.as_deref()));
    opt_el(w, 2, "Description", n.description.as_deref());
    for s in &n.stations {
        ind(w, 2);
        let _ = writeln!(w, "<Station code=\"{}\"{}>", esc(&s.code), date_attrs(s.start_date, s.end_date, s.restricted_status.as_deref()));
        opt_el(w, 3, "Description", s.description.as_deref());
        num_el(w, 3, "Latitude", s.latitude);
        num_el(w, 3, "Longitude", s.longitude);
        num_el(w, 3, "Elevation", s.elevation);
        ind(w, 3);
        let _ = writeln!(w, "<Site><Name>{}</Name></Site>", esc(&s.site_name));
        opt_el(w, 3, "CreationDate", s.creation_date.map(|d| d.to_string()).as_deref());
        for c in &s.channels {
            write_channel(w, c);
        }
        ind(w, 2);
        w.push_str("</Station>\n");
    }
    ind(w, 1);
    w.push_str("</Network>\n");
}

fn write_channel(w: &mut String, c: &Channel) {
    ind(w, 3);
    let _ = writeln!(
        w,
        "<Channel code=\"{}\" locationCode=\"{}\"{}>",
        esc(&c.code),
        esc(&c.location_code),
        date_attrs(c.start_date, c.end_date, c.restricted_status.as_deref())
    );
    num_el(w, 4, "Latitude", c.latitude);
    num_el(w, 4, "Longitude", c.longitude);
    num_el(w, 4, "Elevation", c.elevation);
    num_el(w, 4, "Depth", c.depth);
    if let Some(a) = c.azimuth {
        num_el(w, 4, "Azimuth", a);
    }
    if let Some(d) = c.dip {
        num_el(w, 4, "Dip", d);
    }
    if let Some(d) = &c.sensor_description {
        ind(w, 4);
        let _ = writeln!(w, "<Sensor><Description>{}</Description></Sensor>", esc(d));
    }
    if let Some(r) = c.sample_rate {
        num_el(w, 4, "SampleRate", r);
    }
    if let Some(r) = &c.response {
        write_response(w, r);
    }
    ind(w, 3);
    w.push_str("</Channel>\n");
}

fn write_polynomial_body(w: &mut String, l: usize, p: &Polynomial) {
    units_el(w, l, "InputUnits", &p.input_units);
    units_el(w, l, "OutputUnits", &p.output_units);
    opt_el(w, l, "ApproximationType", Some(&p.approximation_type));
    num_el(w, l, "FrequencyLowerBound", p.frequency_lower_bound);
    num_el(w, l, "FrequencyUpperBound", p.frequency_upper_bound);
    num_el(w, l, "ApproximationLowerBound", p.approximation_lower_bound);
    num_el(w, l, "ApproximationUpperBound", p.approximation_upper_bound);
    num_el(w, l, "MaximumError", p.maximum_error);
    for (i, c) in p.coefficients.iter().enumerate() {
        ind(w, l);
        let _ = writeln!(w, "<Coefficient number=\"{i}\">{}</Coefficient>", fmt_f(*c));
    }
}

fn write_response(w: &mut String, r: &Response) {
    ind(w, 4);
    w.push_str("<Response>\n");
    if let Some(s) = &r.instrument_sensitivity {
        ind(w, 5);
        w.push_str("<InstrumentSensitivity>\n");
        num_el(w, 6, "Value", s.value);
        num_el(w, 6, "Frequency", s.frequency);
        units_el(w, 6, "InputUnits", &s.input_units);
        units_el(w, 6, "OutputUnits", &s.output_units);
        ind(w, 5);
        w.push_str("</InstrumentSensitivity>\n");
    }
    if let Some(p) = &r.instrument_polynomial {
        ind(w, 5);
        w.push_str("<InstrumentPolynomial>\n");
        write_polynomial_body(w, 6, p);
        ind(w, 5);
        w.push_str("</InstrumentPolynomial>\n");
    }
    for st in &r.stages {
        ind(w, 5);
        let _ = writeln!(w, "<Stage number=\"{}\">", st.number);
        let name = st.name.as_ref().map(|n| format!(" name=\"{}\"", esc(n))).unwrap_or_default();
        let (tag, l) = match &st.kind {
            StageKind::PolesZeros(_) => ("PolesZeros", 6),
            StageKind::Coefficients(_) => ("Coefficients", 6),
            StageKind::Fir(_) => ("FIR", 6),
            StageKind::Polynomial(_) => ("Polynomial", 6),
            StageKind::ResponseList(_) => ("ResponseList", 6),
            StageKind::Gain => ("", 6),
        };
        if !tag.is_empty() {
            ind(w, l);
            let _ = writeln!(w, "<{tag}{name}>");
            if !matches!(st.kind, StageKind::Polynomial(_)) {
                units_el(w, l + 1, "InputUnits", &st.input_units);
                units_el(w, l + 1, "OutputUnits", &st.output_units);
            }
        }
        match &st.kind {
            StageKind::PolesZeros(pz) => {
                opt_el(w, l + 1, "PzTransferFunctionType", Some(pz.transfer_function.as_str()));
                num_el(w, l + 1, "NormalizationFactor", pz.normalization_factor);
                num_el(w, l + 1, "NormalizationFrequency", pz.normalization_frequency);
                for (tagz, list) in [("Zero", &pz.zeros), ("Pole", &pz.poles)] {
                    for (i, z) in list.iter().enumerate() {
                        ind(w, l + 1);
                        let _ = writeln!(
                            w,
                            "<{tagz} number=\"{i}\"><Real>{}</Real><Imaginary>{}</Imaginary></{tagz}>",
                            fmt_f(z.re),
                            fmt_f(z.im)
                        );
                    }
                }
            }
            StageKind::Coefficients(cf) => {
                opt_el(w, l + 1, "CfTransferFunctionType", Some(cf.transfer_function.as_str()));
                for n in &cf.numerators {
                    num_el(w, l + 1, "Numerator", *n);
                }
                for d in &cf.denominators {
                    num_el(w, l + 1, "Denominator", *d);
                }
            }
            StageKind::Fir(f) => {
                let sym = match f.symmetry {
                    Symmetry::None => "NONE",
                    Symmetry::Even => "EVEN",
                    Symmetry::Odd => "ODD",
                };
                opt_el(w, l + 1, "Symmetry", Some(sym));
                for (i, c) in f.numerator_coefficients.iter().enumerate() {
                    ind(w, l + 1);
                    let _ = writeln!(w, "<NumeratorCoefficient i=\"{i}\">{}</NumeratorCoefficient>", fmt_f(*c));
                }
            }
            StageKind::Polynomial(p) => write_polynomial_body(w, l + 1, p),
            StageKind::ResponseList(list) => {
                for e in list {
                    ind(w, l + 1);
                    let _ = writeln!(
                        w,
                        "<ResponseListElement><Frequency>{}</Frequency><Amplitude>{}</Amplitude><Phase>{}</Phase></ResponseListElement>",
                        fmt_f(e.frequency),
                        fmt_f(e.amplitude),
                        fmt_f(e.phase)
                    );
                }
            }
            StageKind::Gain => {}
        }
        if !tag.is_empty() {
            ind(w, l);
            let _ = writeln!(w, "</{tag}>");
        }
        if let Some(d) = &st.decimation {
            ind(w, 6);
            w.push_str("<Decimation>\n");
            num_el(w, 7, "InputSampleRate", d.input_sample_rate);
            ind(w, 7);
            let _ = writeln!(w, "<Factor>{}</Factor>", d.factor);
            ind(w, 7);
            let _ = writeln!(w, "<Offset>{}</Offset>", d.offset);
            num_el(w, 7, "Delay", d.delay);
            num_el(w, 7, "Correction", d.correction);
            ind(w, 6);
            w.push_str("</Decimation>\n");
        }
        if let Some((v, f)) = st.gain {
            ind(w, 6);
            let _ = writeln!(w, "<StageGain><Value>{}</Value><Frequency>{}</Frequency></StageGain>", fmt_f(v), fmt_f(f));
        }
        ind(w, 5);
        w.push_str("</Stage>\n");
    }
    ind(w, 4);
    w.push_str("</Response>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_inventory_round_trips_through_xml() {
        let inv = crate::testing::station_inventory("XX", "S0001", 10.0, 20.0, 100.0, UtcTime::from_ns(0));
        let xml = inv.to_stationxml();
        let back = Inventory::from_stationxml(&xml).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Inventory::from_stationxml(b"<x/>").unwrap_err();
        assert!(e.0.contains("FDSNStationXML"), "{e}");
        let e = Inventory::from_stationxml(b"<FDSNStationXML><Network code='X'><Station code='A'><Latitude>a</Latitude></Station></Network></FDSNStationXML>").unwrap_err();
        assert!(e.0.contains("station X.A") && e.0.contains("Latitude"), "{e}");
        assert!(Inventory::from_stationxml(b"<FDSN").is_err());
    }
}
