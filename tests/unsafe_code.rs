//! `unsafe_code` is denied crate-wide (Cargo.toml's `[lints]`) and allowed on one kind of item
//! only: the `#[no_mangle]` exports that the `exports!` macro of `src/abi/mod.rs` generates,
//! each a single call. This test fails when an `allow` of the lint appears anywhere else, or
//! when the crate gains an `unsafe` block, function or impl.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("src/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("source");
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn unsafe_code_is_allowed_on_the_generated_exports_only() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut allows = Vec::new();
    for (path, text) in &files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("allow(unsafe_code)") {
                allows.push(format!("{path}:{}", n + 1));
            }
            for word in ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern"] {
                assert!(!code.contains(word), "{path}:{}: `{word}`", n + 1);
            }
        }
    }
    assert_eq!(allows.len(), 1, "allow(unsafe_code) at {allows:?}");
    assert!(
        allows[0].contains("abi") && allows[0].contains("mod.rs"),
        "{allows:?}"
    );
    let abi = files
        .iter()
        .find(|(p, _)| p.ends_with("abi/mod.rs"))
        .map(|(_, t)| t)
        .expect("abi");
    let lint_line = abi
        .lines()
        .position(|l| l.contains("#[allow(unsafe_code)]"))
        .expect("allow");
    let lines: Vec<&str> = abi.lines().collect();
    assert!(
        lines[lint_line.saturating_sub(4)..lint_line]
            .iter()
            .any(|l| l.contains("=> {")),
        "the allow is inside the exports! macro"
    );
    assert!(
        !abi.contains("#![allow(unsafe_code)]"),
        "no module-wide allow"
    );
}
