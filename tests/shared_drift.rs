//! The contract data the tests use is copied into `tests/data/zentitle/`, so that a clone of
//! the repository alone passes its tests. Where the contract folder (`../shared/zentitle/`)
//! sits beside the checkout, the copies must equal it; elsewhere this test says it skipped.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

#[test]
fn copies_match_the_contract_folder_when_it_is_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/zentitle");
    if !shared.is_dir() {
        println!("skipped: no ../shared/zentitle beside the checkout to compare the copies with");
        return;
    }
    for (original, copy) in [
        ("event-codes.json", "event-codes.json"),
        (
            "management-api-2023-12-webhooks-extract.json",
            "management-api-2023-12-webhooks-extract.json",
        ),
        (
            "tenant-modulus-demo.b64url.txt",
            "tenant-modulus-demo.b64url.txt",
        ),
        // Named for what it is: the test-env modulus decodes to an even number.
        (
            "tenant-modulus-test-env.b64url.txt",
            "even-modulus-test-env.b64url.txt",
        ),
    ] {
        let want = std::fs::read(shared.join(original)).expect("the original");
        let have = std::fs::read(root.join("tests/data/zentitle").join(copy)).expect("the copy");
        assert!(
            want == have,
            "tests/data/zentitle/{copy} differs from shared/zentitle/{original}: copy it again"
        );
    }
}
