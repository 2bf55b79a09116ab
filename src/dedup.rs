//! A small in-memory de-duplicator: remembers each accepted `eventId` for a while, so that a
//! retried or replayed delivery is recognised (`duplicate_event`).
//!
//! It lives in one process (one isolate on an edge runtime): behind a load balancer, or where
//! isolates come and go, back de-duplication with a shared store instead (Redis, Workers KV).

use std::collections::{HashMap, VecDeque};

/// Remembers event ids for `ttl` milliseconds, at most `max_entries` at a time (the oldest
/// are forgotten first). Time comes from the caller.
#[derive(Clone, Debug)]
pub struct MemoryDeduplicator {
    ttl_ms: i64,
    max_entries: usize,
    expiry: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

impl MemoryDeduplicator {
    /// Remembers ids for `ttl_seconds`, at most `max_entries` (at least 1) of them.
    pub fn new(ttl_seconds: u32, max_entries: usize) -> Self {
        MemoryDeduplicator {
            ttl_ms: i64::from(ttl_seconds) * 1000,
            max_entries: max_entries.max(1),
            expiry: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// `true` the first time `event_id` is seen within the TTL (and remembers it), `false`
    /// for a duplicate.
    pub fn remember(&mut self, event_id: &str, now_ms: i64) -> bool {
        self.forget_expired(now_ms);
        if self
            .expiry
            .get(event_id)
            .is_some_and(|&until| until > now_ms)
        {
            return false;
        }
        while self.expiry.len() >= self.max_entries {
            let Some((_, oldest)) = self.order.pop_front() else {
                break;
            };
            self.expiry.remove(&oldest);
        }
        let until = now_ms.saturating_add(self.ttl_ms);
        self.expiry.insert(event_id.to_owned(), until);
        self.order.push_back((until, event_id.to_owned()));
        true
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.expiry.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.expiry.is_empty()
    }

    fn forget_expired(&mut self, now_ms: i64) {
        while let Some((until, _)) = self.order.front() {
            if *until > now_ms {
                break;
            }
            if let Some((until, id)) = self.order.pop_front() {
                // Only if the map still holds this entry (not a newer one for the same id).
                if self.expiry.get(&id) == Some(&until) {
                    self.expiry.remove(&id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn duplicates_within_the_ttl_only() {
        let mut d = MemoryDeduplicator::new(60, 100);
        assert!(d.remember("event_a", 0));
        assert!(!d.remember("event_a", 59_999));
        assert!(d.remember("event_b", 1_000));
        assert!(d.remember("event_a", 60_000), "expired after the TTL");
        assert!(!d.remember("event_a", 60_001));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn bounded_in_size() {
        let mut d = MemoryDeduplicator::new(3600, 3);
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            assert!(d.remember(id, i as i64));
        }
        assert_eq!(d.len(), 3);
        assert!(d.remember("a", 10), "the oldest was forgotten");
        assert!(!d.remember("d", 10));
    }

    #[test]
    fn many_ids_stay_bounded() {
        let mut d = MemoryDeduplicator::new(1, 1000);
        for i in 0..100_000i64 {
            d.remember(&i.to_string(), i);
        }
        assert!(d.len() <= 1000);
        assert!(d.order.len() <= 1001);
    }
}
