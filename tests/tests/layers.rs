//! The library's module graph: every layer imports only the layers below it.
//!
//! From the bottom: `xml`; `geodetics`; `model`; `signal`; `format::codec` (pure codecs); `format::h5` (the
//! only code that calls libhdf5); the rest of `format` (ASDF itself); `engine`; `ingest` (import
//! and export of miniSEED and SAC, on the engine); `testing` (fixtures); `cli`. Only `format` may name `format::h5`. The crate root (`lib.rs`,
//! `__private.rs`, `bin/`) and the fuzzing entry points sit above everything. Test modules at the
//! end of a file (`#[cfg(test)]`) and comments are not counted: tests may use fixtures.

use std::path::{Path, PathBuf};

/// The layers, lowest first; a module is in the layer of its longest matching prefix.
const LAYERS: &[&str] = &["xml", "geodetics", "model", "signal", "format::codec", "format::h5", "format", "engine", "ingest", "testing", "cli"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .enumerate()
        .filter(|(_, l)| module == **l || module.starts_with(&format!("{l}::")))
        .max_by_key(|(_, l)| l.len())
        .map(|(i, _)| i)
}

/// The module path of a source file (`format/codec/mod.rs` -> `format::codec`).
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read asdf/src") {
        let p = entry.expect("dir entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its trailing test module.
fn code(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") && !line.starts_with(' ') {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let without_comment = match t.find("//") {
            Some(at) => &t[..at],
            None => t,
        };
        lines.push((i + 1, without_comment.to_string()));
    }
    lines
}

/// Every module a line names: `crate::a::b` paths, and `super::` paths resolved from `module`.
fn named_modules(line: &str, module: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let starts_path = |i: usize| i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
    let path_at = |i: usize| -> String {
        line[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect::<String>()
    };
    let mut i = 0;
    while i < line.len() {
        if line[i..].starts_with("crate::") && starts_path(i) {
            let p = path_at(i + "crate::".len());
            found.push(p.trim_end_matches(':').to_string());
            i += "crate::".len();
        } else if line[i..].starts_with("super::") && starts_path(i) {
            // `super` is the parent module (for `a/b.rs` and `a/b/mod.rs` alike: `a`).
            let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            base.pop();
            let mut rest = &line[i..];
            while let Some(r) = rest.strip_prefix("super::") {
                rest = r;
                if rest.starts_with("super::") {
                    base.pop();
                }
            }
            let tail = path_at(line.len() - rest.len());
            let mut full: Vec<&str> = base.clone();
            full.extend(tail.split("::").filter(|s| !s.is_empty()));
            found.push(full.join("::"));
            i = line.len() - rest.len();
        } else {
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

#[test]
fn no_layer_imports_a_higher_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../asdf/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 40, "found only {} files under {}", files.len(), root.display());
    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).expect("under asdf/src");
        let module = module_of(rel);
        let top = module.is_empty() || module == "__private" || module.starts_with("bin") || module.ends_with("fuzzing");
        let Some(own) = layer_of(&module) else {
            assert!(top, "{}: not in any layer; add it to LAYERS", rel.display());
            continue;
        };
        if top {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in code(&text) {
            for named in named_modules(&line, &module) {
                let Some(theirs) = layer_of(&named) else { continue };
                let into_h5 = LAYERS[theirs] == "format::h5" && !module.starts_with("format");
                if theirs > own || into_h5 {
                    violations.push(format!("{}:{n}: {} ({}) names {named} ({})", rel.display(), module, LAYERS[own], LAYERS[theirs]));
                }
            }
        }
    }
    assert!(violations.is_empty(), "imports from a lower layer to a higher one:\n{}", violations.join("\n"));
}

#[test]
fn the_checker_sees_what_it_should() {
    assert_eq!(module_of(Path::new("format/codec/mod.rs")), "format::codec");
    assert_eq!(module_of(Path::new("model/trace.rs")), "model::trace");
    assert_eq!(layer_of("format::codec::planes"), Some(4));
    assert_eq!(layer_of("format::h5"), Some(5));
    assert_eq!(layer_of("format::waveforms"), Some(6));
    assert_eq!(layer_of("formatting"), None);
    assert_eq!(named_modules("use crate::format::{FormatError, StoredChunks};", "model::trace"), vec!["format"]);
    assert_eq!(named_modules("use super::h5::{self, Hid};", "format::waveforms"), vec!["format::h5"]);
    assert_eq!(named_modules("use super::h5::Pipeline;", "format::codec"), vec!["format::h5::Pipeline"]);
    assert_eq!(named_modules("super::planes::stored_blocks(&mut out, head);", "format::codec::deflate"), vec!["format::codec::planes::stored_blocks"]);
    assert_eq!(named_modules("let x = super::super::h5::locked(|| 1);", "format::inspect::validate"), vec!["format::h5::locked"]);
    let lines = code("use a;\n// use crate::engine;\nfn f() {} // crate::cli\n#[cfg(test)]\nmod tests { use crate::testing; }\n");
    assert_eq!(lines.iter().map(|(_, l)| l.trim()).collect::<Vec<_>>(), vec!["use a;", "fn f() {}"]);
}
