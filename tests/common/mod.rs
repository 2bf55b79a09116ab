//! The OpenSSL-made vectors of `tests/fixtures/` (see `make.sh` there), compiled into the
//! test binary so that the same tests run natively and in wasm, where there is no file system.
#![allow(dead_code)]

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

/// The forms each fixture key is stored in, all of which must verify alike.
pub const KEY_FORMS: [&str; 6] = [
    "modulus.txt",
    "jwk.json",
    "spki.pem",
    "pkcs1.pem",
    "spki.der",
    "pkcs1.der",
];

#[derive(Deserialize)]
pub struct Vectors {
    pub keys: HashMap<String, KeyInfo>,
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
pub struct KeyInfo {
    pub modulus: String,
    pub bits: u32,
}

#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    pub key: String,
    pub body: String,
    pub signature: String,
    pub valid: bool,
    pub code: Option<String>,
    pub event: Option<ExpectedEvent>,
    /// For `invalid_signature`: `"body"` or `"key"`.
    pub mismatch: Option<String>,
    /// For a body changed in a usual way: the change the diagnosis must name.
    #[serde(rename = "bodyChange")]
    pub body_change: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedEvent {
    pub event_code: String,
    pub event_id: String,
}

macro_rules! fixture_table {
    ($dir:literal; $($name:expr),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $dir, $name)) as &[u8])),*]
    };
}

/// Named fixture files: (file name, contents).
type Files = &'static [(&'static str, &'static [u8])];

const BODIES: Files = fixture_table!("bodies/";
    "event.json", "event-altered.json", "empty.txt", "non-ascii.json", "crlf.json", "pretty.json", "1mib.json", "latin.json",
    "changed/event.pretty.json", "changed/pretty.compact.json", "changed/non-ascii.python.json", "changed/event.newline.json", "changed/pretty.trimmed.json", "changed/pretty.crlf.json", "changed/crlf.lf.json", "changed/event.bom.json", "changed/non-ascii.mojibake.json", "changed/latin.cp1252.json",
    "events/customer.created.json", "events/customer.updated.json", "events/entitlement.activated.json", "events/entitlement.brand.new.json", "events/entitlement.created.json", "events/entitlement.expired.json", "events/entitlement.expires1day.json", "events/entitlement.expires30days.json", "events/entitlement.expires7days.json", "events/entitlement.group.created.json", "events/entitlement.group.updated.json", "events/entitlement.maintenance.expired.json", "events/entitlement.maintenance.expires1day.json", "events/entitlement.maintenance.expires30days.json", "events/entitlement.maintenance.expires7days.json", "events/entitlement.provision.json", "events/entitlement.renewed.json", "events/entitlement.seat.activated.json", "events/entitlement.seat.deactivated.json", "events/entitlement.updated.json", "events/entitlement.usage.summary.json", "events/webhook.test.json");

macro_rules! key_table {
    ($($key:literal),*) => {
        &[$(
            ($key, fixture_table!("keys/"; concat!($key, ".modulus.txt"), concat!($key, ".jwk.json"),
                concat!($key, ".spki.pem"), concat!($key, ".pkcs1.pem"), concat!($key, ".spki.der"),
                concat!($key, ".pkcs1.der"), concat!($key, ".key.pem"))),
        )*]
    };
}

const KEYS: &[(&str, Files)] = key_table!("rsa2048", "rsa3072", "rsa4096", "other2048", "weak1024");

pub const CERTIFICATE_PEM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/keys/rsa2048.cert.pem"
));

impl Vectors {
    pub fn load() -> Vectors {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vectors.json"
        ));
        serde_json::from_str(text).expect("vectors.json parses")
    }

    pub fn body(&self, name: &str) -> Vec<u8> {
        lookup(BODIES, name).to_vec()
    }

    pub fn key_file(&self, key: &str, form: &str) -> Vec<u8> {
        let files = KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| *f)
            .expect("fixture key");
        lookup(files, &format!("{key}.{form}")).to_vec()
    }
}

/// One key file by its name, e.g. `rsa2048.spki.pem`.
pub fn key_fixture(file: &str) -> Vec<u8> {
    let key = file.split('.').next().unwrap_or_default();
    let files = KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, f)| *f)
        .expect("fixture key");
    if file.ends_with(".cert.pem") {
        return CERTIFICATE_PEM.to_vec();
    }
    lookup(files, file).to_vec()
}

fn lookup(table: &[(&str, &'static [u8])], name: &str) -> &'static [u8] {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

pub fn b64decode(s: &str) -> Vec<u8> {
    STANDARD.decode(s).expect("base64")
}

pub fn b64encode(b: &[u8]) -> String {
    STANDARD.encode(b)
}
