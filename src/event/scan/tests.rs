//! The scanner against `parse_event`, which runs the scanner's checks and then builds the
//! typed value with serde_json: for every body (fixtures, every single-byte mutation of them,
//! random envelopes, and the edges of JSON: nesting, number range, escapes, surrogates) the
//! same verdict, code and hint, a typed value built for every body the scanner accepts, and
//! serde_json's own verdict on the JSON syntax as an independent reference.

use super::*;
use crate::event::parse_event;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn same(body: &[u8]) {
    let reference = parse_event(body);
    let scanned = check_event(body);
    let text = String::from_utf8_lossy(body);
    let syntax_ok = serde_json::from_slice::<serde_json::Value>(body).is_ok();
    let scanned_syntax_ok = !matches!(&scanned, Err(e) if e.code() == ErrorCode::InvalidJson);
    assert_eq!(syntax_ok, scanned_syntax_ok, "JSON syntax verdict: {text}");
    match (reference, scanned) {
        (Ok(event), Ok(checked)) => assert_eq!(
            (event.event_id, event.event_date_unix_ms),
            (checked.event_id, checked.event_date_unix_ms),
            "{text}"
        ),
        (Err(a), Err(b)) => assert_eq!((a.code(), a.hint()), (b.code(), b.hint()), "{text}"),
        (a, b) => panic!("{text}\nparse_event: {a:?}\ncheck_event: {b:?}"),
    }
}

const BODIES: [&[u8]; 6] = [
    include_bytes!("../../../tests/fixtures/bodies/events/entitlement.seat.activated.json"),
    include_bytes!("../../../tests/fixtures/bodies/events/customer.updated.json"),
    include_bytes!("../../../tests/fixtures/bodies/events/entitlement.usage.summary.json"),
    include_bytes!(
        "../../../tests/fixtures/bodies/events/entitlement.maintenance.expires7days.json"
    ),
    include_bytes!("../../../tests/fixtures/bodies/non-ascii.json"),
    include_bytes!("../../../tests/fixtures/bodies/event.json"),
];

#[test]
fn fixtures_and_every_single_byte_mutation_agree() {
    const BYTES: &[u8] = b"\"\\{}[],:0-e.u 1\x01\xffnt";
    for body in BODIES {
        same(body);
        for i in 0..body.len() {
            let mut cut = body.to_vec();
            cut.remove(i);
            same(&cut);
            for &b in BYTES {
                let mut changed = body.to_vec();
                changed[i] = b;
                same(&changed);
                let mut inserted = body.to_vec();
                inserted.insert(i, b);
                same(&inserted);
            }
        }
    }
}

#[test]
fn the_edges_of_json_agree() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let mut cases: Vec<String> = (125..=130)
        .flat_map(|n| {
            [
                deep(n),
                format!(r#"{{"eventId":"e","payload":{}}}"#, deep(n)),
            ]
        })
        .collect();
    for n in [
        // (Within an ulp of the largest f64, serde_json's multiply by a power of ten can refuse
        // what a correctly rounded parse, the scanner's and JSON.parse's, accepts:
        // 1.7976931348623158e308 is such a number. Real events never come near.)
        "1e308",
        "1.7976931348623157e308",
        "1.797693134862316e308",
        "1.7976931348623159e308",
        "17976931348623157e292",
        "1e309",
        "-1e400",
        "1e-400",
        "0e99999999999999999999",
        "123456789012345678901234567890",
        "1.5",
        "-0",
        "1E+2",
        "0.0e-0",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "2.5e-3000",
        "1e18446744073709551616",
    ] {
        cases.push(format!(
            r#"{{"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"entitlement.expires1day","resourceId":"r","callAttempt":1,"payload":{{"entitlementId":"x","daysToExpire":{n}}}}}"#
        ));
        cases.push(format!(
            r#"{{"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"x","resourceId":"r","callAttempt":{n}}}"#
        ));
    }
    for s in [
        r"\ud83d\ude00",
        r"\ud800",
        r"\udc00",
        r"\ud800\u0041",
        r"\ud800x",
        r"\u00e9",
        r"\/\b\f\n\r\t",
        r"\x",
        r"\u12",
        r"\u12g4",
        "\u{1}",
        "\t",
        r#"\""#,
    ] {
        cases.push(format!(
            r#"{{"eventId":"{s}","eventDate":"2026-11-27T10:15:30Z","eventCode":"webhook.test","resourceId":"r","callAttempt":1}}"#
        ));
    }
    cases.extend(
        [
            "", " ", "\u{c}", "null", "[]", "\"x\"", "{}", "{} x", "{\"a\":1,}", "{\"a\" 1}",
            r#"{"event\u0049d":"escaped key","eventDate":"2026-11-27T10:15:30Z","eventCode":"webhook.test","resourceId":"r","callAttempt":1}"#,
            r#"{"eventId":1,"eventId":"last wins","eventDate":"2026-11-27T10:15:30Z","eventCode":"webhook.test","resourceId":"r","callAttempt":1}"#,
            r#"{"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"r","callAttempt":1,"payload":{"customerId":null}}"#,
            r#"{"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"r","callAttempt":1,"payload":{"customerId":"c","customerId":7}}"#,
            r#"{"payload":{"seatId":1},"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"entitlement.seat.activated","resourceId":"r","callAttempt":4294967295}"#,
            r#"{"eventId":"e","eventDate":"2026-11-27T10:15:30Z","eventCode":"x","resourceId":"r","callAttempt":4294967296}"#,
            r#"{"eventId":"e","eventDate":"2026-11-27T10:15:30+01:00","eventCode":"x","resourceId":"r","callAttempt":1}"#,
        ]
        .map(str::to_owned),
    );
    for case in &cases {
        same(case.as_bytes());
    }
    same(b"\xef\xbb\xbf{}");
    same(b"{\"eventId\":\"\xc3\"}");
}

/// A small deterministic generator (xorshift), so that the cases are the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn value(&mut self, depth: u32) -> String {
        let kinds = if depth > 2 { 6 } else { 8 };
        match self.next() % kinds {
            0 => "null".into(),
            1 => self.pick(&["true", "false"]).into(),
            2 => self
                .pick(&[
                    "0",
                    "1",
                    "-3",
                    "2.5",
                    "1e3",
                    "7",
                    "4294967296",
                    "1e999",
                    "-0.0",
                ])
                .into(),
            3 => format!(
                "\"{}\"",
                self.pick(&[
                    "x",
                    "2026-11-27T10:15:30Z",
                    "2026-02-30T00:00:00Z",
                    "\\u00e9",
                    "a\\nb",
                    ""
                ])
            ),
            4 => format!(
                "\"{}\"",
                self.pick(&[
                    "2025-06-06T11:39:22.739326Z",
                    "2026-11-27T10:15:30.1234567Z",
                    "2026-11-27 10:15:30Z"
                ])
            ),
            5 => format!("\"{}\"", self.pick(&["ent_1", "act_1", "cust_1"])),
            6 => format!(
                "[{}]",
                (0..self.next() % 3)
                    .map(|_| self.value(depth + 1))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => self.object(depth + 1, &["a", "seatId", "name"]),
        }
    }
    fn object(&mut self, depth: u32, names: &[&str]) -> String {
        let n = self.next() % 5;
        let members: Vec<String> = (0..n)
            .map(|_| format!("\"{}\":{}", self.pick(names), self.value(depth)))
            .collect();
        format!("{{{}}}", members.join(","))
    }
}

#[test]
fn random_envelopes_agree() {
    // The envelope's members and one it does not know.
    let names: Vec<&str> = Member::ALL
        .iter()
        .map(|m| m.name())
        .chain(["extra"])
        .collect();
    const PAYLOAD: &[&str] = &[
        "customerId",
        "name",
        "disabled",
        "entitlementId",
        "activatedAt",
        "expiresAt",
        "daysToExpire",
        "maintenanceExpiresAt",
        "maintenanceExpiredAt",
        "activationId",
        "seatId",
        "seatName",
        "seatsUsed",
        "isOverdraftSeat",
        "deactivatedAt",
        "leaseExpiry",
        "other",
    ];
    let codes = [
        "customer.created",
        "entitlement.expires7days",
        "entitlement.maintenance.expired",
        "entitlement.seat.deactivated",
        "entitlement.provision",
        "webhook.test",
        "brand.new",
    ];
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let runs = if cfg!(target_arch = "wasm32") {
        3_000
    } else {
        30_000
    };
    for _ in 0..runs {
        let mut members = vec![
            "\"eventId\":\"event_1\"".to_owned(),
            "\"eventDate\":\"2026-11-27T10:15:30Z\"".to_owned(),
            format!("\"eventCode\":\"{}\"", g.pick(&codes)),
            "\"resourceId\":\"r\"".to_owned(),
            "\"callAttempt\":1".to_owned(),
        ];
        // Some envelope fields replaced by random values, a random payload, extra members.
        for _ in 0..g.next() % 3 {
            let name = g.pick(&names);
            let value = g.value(1);
            members.push(format!("\"{name}\":{value}"));
        }
        let payload = g.object(1, PAYLOAD);
        members.push(format!("\"payload\":{payload}"));
        // The payload before the event code, or a second event code after it (a repeated
        // member: the last counts), perhaps of another family.
        if g.next() % 3 == 0 {
            let last = members.len() - 1;
            let i = (g.next() % members.len() as u64) as usize;
            members.swap(i, last);
        }
        if g.next() % 4 == 0 {
            members.push(format!("\"eventCode\":\"{}\"", g.pick(&codes)));
        }
        if g.next() % 4 == 0 {
            let i = (g.next() % members.len() as u64) as usize;
            members.remove(i);
        }
        let ws = g.pick(&["", " ", "\n  "]);
        same(format!("{{{ws}{}}}", members.join(&format!(",{ws}"))).as_bytes());
    }
}
