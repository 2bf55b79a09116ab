//! Test-only: whether the npm package's files generated from the Rust tables (the event types,
//! the error codes and the diagnosis in `index.d.ts`, the event-code list) are in sync with
//! them. Each test compares the file, or its marked section, with what the tables give;
//! `UPDATE_TYPES=1 cargo test` rewrites it instead of failing.

/// `path` relative to the crate root.
fn absolute(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn differs(path: &str, rewritten: &str, source: &str, wanted: &str) {
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(absolute(path), rewritten).expect("write the generated file");
    } else {
        panic!("{path} is out of date with {source}: run `UPDATE_TYPES=1 cargo test`.\n\nWanted:\n{wanted}");
    }
}

/// The section of `path` from the `begin` marker to the `end` marker (both included) must be
/// `wanted`, which starts with `begin` and ends with `end`.
pub(crate) fn check_section(path: &str, begin: &str, end: &str, wanted: &str, source: &str) {
    let text = std::fs::read_to_string(absolute(path)).expect("the generated file");
    let (Some(start), Some(stop)) = (text.find(begin), text.find(end)) else {
        panic!("{path} lacks the {begin} / {end} markers");
    };
    let current = &text[start..stop + end.len()];
    if current != wanted {
        differs(path, &text.replacen(current, wanted, 1), source, wanted);
    }
}

/// The whole of `path` must be `wanted`.
pub(crate) fn check_file(path: &str, wanted: &str, source: &str) {
    if std::fs::read_to_string(absolute(path)).unwrap_or_default() != wanted {
        differs(path, wanted, source, wanted);
    }
}
