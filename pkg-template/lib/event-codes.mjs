// Generated from src/event/code.rs by `UPDATE_TYPES=1 cargo test`: edit the Rust table, not this file.

/** The event codes this version documents. */
export const EVENT_CODES = Object.freeze([
  "customer.created",
  "customer.updated",
  "entitlement.activated",
  "entitlement.created",
  "entitlement.updated",
  "entitlement.renewed",
  "entitlement.expired",
  "entitlement.expires1day",
  "entitlement.expires7days",
  "entitlement.expires30days",
  "entitlement.provision",
  "entitlement.group.created",
  "entitlement.group.updated",
  "entitlement.maintenance.expired",
  "entitlement.maintenance.expires1day",
  "entitlement.maintenance.expires7days",
  "entitlement.maintenance.expires30days",
  "entitlement.seat.activated",
  "entitlement.seat.deactivated",
  "entitlement.usage.summary",
]);
