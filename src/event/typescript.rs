//! The TypeScript declarations of events, generated from the Rust tables (event codes,
//! families, payload fields) and compared with the section of `pkg-template/index.d.ts`
//! between the GENERATED markers, so the two cannot drift. `UPDATE_TYPES=1 cargo test`
//! rewrites that section.

use std::fmt::Write as _;

use super::{
    CustomerPayload, EntitlementPayload, EventCode, FieldKind, FieldSpec, PayloadFamily,
    SeatPayload,
};

const BEGIN: &str = "// BEGIN GENERATED EVENT TYPES";
const END: &str = "// END GENERATED EVENT TYPES";

/// Families in declaration order: TS name of the code union, the event type, and its payload.
const FAMILIES: [(PayloadFamily, &str, &str, &str); 7] = [
    (
        PayloadFamily::Customer,
        "CustomerEventCode",
        "CustomerEvent",
        "CustomerPayload",
    ),
    (
        PayloadFamily::Entitlement,
        "EntitlementEventCode",
        "EntitlementEvent",
        "EntitlementPayload",
    ),
    (
        PayloadFamily::Maintenance,
        "MaintenanceEventCode",
        "MaintenanceEvent",
        "EntitlementPayload",
    ),
    (
        PayloadFamily::Seat,
        "SeatEventCode",
        "SeatEvent",
        "SeatPayload",
    ),
    (
        PayloadFamily::Group,
        "EntitlementGroupEventCode",
        "EntitlementGroupEvent",
        "JsonValue | undefined",
    ),
    (
        PayloadFamily::Provision,
        "ProvisionEventCode",
        "ProvisionEvent",
        "JsonValue | undefined",
    ),
    (
        PayloadFamily::UsageSummary,
        "UsageSummaryEventCode",
        "UsageSummaryEvent",
        "JsonValue | undefined",
    ),
];

fn generate() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BEGIN} (from src/event/; `UPDATE_TYPES=1 cargo test` rewrites this section)"
    );
    for (name, doc, fields) in [
        (
            "CustomerPayload",
            "Payload of `customer.*` events.",
            CustomerPayload::FIELDS,
        ),
        (
            "EntitlementPayload",
            "Payload of entitlement lifecycle and `entitlement.maintenance.*` events.",
            EntitlementPayload::FIELDS,
        ),
        (
            "SeatPayload",
            "Payload of `entitlement.seat.*` events.",
            SeatPayload::FIELDS,
        ),
    ] {
        interface(&mut out, name, doc, fields);
    }
    for (family, code_type, event_type, payload) in FAMILIES {
        let codes: Vec<String> = EventCode::ALL
            .iter()
            .filter(|c| c.family() == family)
            .map(|c| format!("\n  /** {} */\n  | \"{}\"", c.description(), c.as_str()))
            .collect();
        let _ = writeln!(out, "\nexport type {code_type} ={};", codes.concat());
        let _ = writeln!(
            out,
            "export type {event_type} = ZentitleEnvelope<{code_type}, {payload}>;"
        );
    }
    let codes: Vec<&str> = FAMILIES.iter().map(|f| f.1).collect();
    let events: Vec<&str> = FAMILIES.iter().map(|f| f.2).collect();
    let _ = writeln!(out, "\n/** Every event code this version documents. */");
    let _ = writeln!(out, "export type KnownEventCode = {};", codes.join(" | "));
    let _ = writeln!(
        out,
        "/** An event with a documented code, its payload typed by the code. */"
    );
    let _ = writeln!(
        out,
        "export type KnownZentitleEvent = {};",
        events.join(" | ")
    );
    out.push_str(END);
    out
}

fn interface(out: &mut String, name: &str, doc: &str, fields: &[FieldSpec]) {
    let _ = writeln!(
        out,
        "\n/** {doc} Fields not listed here may be present too. */"
    );
    let _ = writeln!(out, "export interface {name} {{");
    for f in fields {
        let ty = match f.kind {
            FieldKind::Str => "string",
            FieldKind::Time => "RFC3339String",
            FieldKind::Bool => "boolean",
            FieldKind::Num => "number",
        };
        let optional = if f.required { "" } else { "?" };
        let _ = writeln!(out, "  /** {} */\n  {}{optional}: {ty};", f.doc, f.name);
    }
    out.push_str("}\n");
}

#[test]
fn index_d_ts_matches_the_rust_event_types() {
    crate::package_sync::check_section(
        "pkg-template/index.d.ts",
        BEGIN,
        END,
        &generate(),
        "src/event/",
    );
}
