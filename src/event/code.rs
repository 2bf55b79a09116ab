//! The event codes Zentitle2 declares (20 in the 2025-10 API spec), each with the family of
//! payload it carries. The list grows over time: a code not listed here is an unknown event,
//! never an error.

/// The kind of payload an event carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PayloadFamily {
    /// `customer.*`: [`CustomerPayload`](super::CustomerPayload).
    Customer,
    /// `entitlement.created/updated/activated/renewed/expired/expires*`:
    /// [`EntitlementPayload`](super::EntitlementPayload).
    Entitlement,
    /// `entitlement.maintenance.*`: [`EntitlementPayload`](super::EntitlementPayload).
    Maintenance,
    /// `entitlement.seat.*`: [`SeatPayload`](super::SeatPayload).
    Seat,
    /// `entitlement.group.*`: no public shape, plain JSON.
    Group,
    /// `entitlement.provision`: no public shape, plain JSON.
    Provision,
    /// `entitlement.usage.summary`: no public shape, plain JSON.
    UsageSummary,
}

macro_rules! event_codes {
    ($($variant:ident = $code:literal => $family:ident, $doc:literal;)*) => {
        /// An event code Zentitle2 documents. Unknown codes are kept as strings in
        /// [`Event::event_code`](super::Event::event_code).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventCode {
            $(#[doc = $doc] $variant,)*
        }

        impl EventCode {
            /// Every documented code.
            pub const ALL: &'static [EventCode] = &[$(EventCode::$variant),*];

            /// The code as Zentitle sends it, e.g. `"customer.created"`.
            pub const fn as_str(self) -> &'static str {
                match self { $(EventCode::$variant => $code,)* }
            }

            /// The payload family of this code.
            pub const fn family(self) -> PayloadFamily {
                match self { $(EventCode::$variant => PayloadFamily::$family,)* }
            }

            /// Zentitle's description of the event.
            pub const fn description(self) -> &'static str {
                match self { $(EventCode::$variant => $doc,)* }
            }

            /// The documented code with this name, if any.
            pub fn from_code(code: &str) -> Option<EventCode> {
                match code { $($code => Some(EventCode::$variant),)* _ => None }
            }
        }
    };
}

event_codes! {
    CustomerCreated = "customer.created" => Customer, "Customer was successfully created.";
    CustomerUpdated = "customer.updated" => Customer, "Customer was successfully updated.";
    EntitlementActivated = "entitlement.activated" => Entitlement, "Entitlement was successfully activated.";
    EntitlementCreated = "entitlement.created" => Entitlement, "Entitlement was successfully created.";
    EntitlementUpdated = "entitlement.updated" => Entitlement, "Entitlement was updated.";
    EntitlementRenewed = "entitlement.renewed" => Entitlement, "Entitlement was successfully renewed.";
    EntitlementExpired = "entitlement.expired" => Entitlement, "Entitlement has expired.";
    EntitlementExpires1Day = "entitlement.expires1day" => Entitlement, "Entitlement is going to expire in 1 day.";
    EntitlementExpires7Days = "entitlement.expires7days" => Entitlement, "Entitlement is going to expire in 7 days.";
    EntitlementExpires30Days = "entitlement.expires30days" => Entitlement, "Entitlement is going to expire in 30 days.";
    EntitlementProvision = "entitlement.provision" => Provision, "Provisioning was started from the UI or the Management API.";
    EntitlementGroupCreated = "entitlement.group.created" => Group, "Entitlement group was successfully created.";
    EntitlementGroupUpdated = "entitlement.group.updated" => Group, "Entitlement group was updated.";
    MaintenanceExpired = "entitlement.maintenance.expired" => Maintenance, "Entitlement maintenance has expired.";
    MaintenanceExpires1Day = "entitlement.maintenance.expires1day" => Maintenance, "Entitlement maintenance is going to expire in 1 day.";
    MaintenanceExpires7Days = "entitlement.maintenance.expires7days" => Maintenance, "Entitlement maintenance is going to expire in 7 days.";
    MaintenanceExpires30Days = "entitlement.maintenance.expires30days" => Maintenance, "Entitlement maintenance is going to expire in 30 days.";
    SeatActivated = "entitlement.seat.activated" => Seat, "The entitlement's seat was successfully activated.";
    SeatDeactivated = "entitlement.seat.deactivated" => Seat, "The entitlement's seat was successfully deactivated.";
    UsageSummary = "entitlement.usage.summary" => UsageSummary, "An entitlement usage summary is available after a usage reset.";
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_list_is_the_one_in_the_contracts_event_codes_json() {
        // A copy of the contract's list (tests/shared_drift.rs checks it against the original).
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/zentitle/event-codes.json"))
                .expect("json");
        let mut listed: Vec<&str> = json["event_codes"]
            .as_array()
            .expect("array")
            .iter()
            .map(|e| e["code"].as_str().expect("code"))
            .collect();
        let mut ours: Vec<&str> = EventCode::ALL.iter().map(|c| c.as_str()).collect();
        listed.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, listed);
    }

    /// The JavaScript list `EVENT_CODES` is generated from this table (`UPDATE_TYPES=1 cargo
    /// test` rewrites it): the package and the www page use it, so no list is kept by hand.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_javascript_list_is_generated_from_this_table() {
        let path = "pkg-template/lib/event-codes.mjs";
        let codes: Vec<String> = EventCode::ALL
            .iter()
            .map(|c| format!("  \"{}\",\n", c.as_str()))
            .collect();
        let wanted = format!(
            "// Generated from src/event/code.rs by `UPDATE_TYPES=1 cargo test`: edit the Rust table, not this file.\n\n/** The event codes this version documents. */\nexport const EVENT_CODES = Object.freeze([\n{}]);\n",
            codes.concat()
        );
        crate::package_sync::check_file(path, &wanted, "src/event/code.rs");
    }

    #[test]
    fn round_trips_and_unknowns() {
        for &code in EventCode::ALL {
            assert_eq!(EventCode::from_code(code.as_str()), Some(code));
        }
        assert_eq!(EventCode::from_code("webhook.test"), None);
        assert_eq!(EventCode::from_code("Customer.Created"), None);
    }
}
