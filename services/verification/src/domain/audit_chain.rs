//! The audit trail's hash chain: the canonical bytes of an event, its hash, and the check of
//! one link. Pure; the store reads and writes the rows.
//!
//! `hash = hex(sha256(prev_hash || canonical(event)))`, where `prev_hash` is the previous
//! event's hash as 64 ASCII hex characters (64 `0`s for the first event of a county) and
//! `canonical` writes every other field in a fixed order, each as a big-endian u32 byte length
//! followed by its UTF-8 bytes (numbers as decimal text, target ids joined by `,`).

use sha2::{Digest, Sha256};

/// `prev_hash` of the first event of a county.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as stored. Ids and codes only, never personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// County the chain belongs to ([`super::model::County::key`]).
    pub county_key: String,
    /// 1-based, gap-free per county.
    pub sequence: i64,
    pub event_id: String,
    pub occurred_at_ms: i64,
    pub county_code: String,
    pub county_name: String,
    pub principal_id: String,
    pub agency_id: String,
    /// Proto `Role` value.
    pub role: i16,
    /// Proto `AuditAction` value.
    pub action: i16,
    pub target_type: String,
    pub target_ids: Vec<String>,
    pub reason_code: String,
    /// "OK" or the ErrorReason name.
    pub result: String,
    pub idempotency_key: String,
    pub request_sha256: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The bytes the hash covers (every field but `prev_hash` and `hash`).
#[must_use]
pub fn canonical_bytes(event: &AuditRecord) -> Vec<u8> {
    let numbers = [
        event.sequence.to_string(),
        event.occurred_at_ms.to_string(),
        event.role.to_string(),
        event.action.to_string(),
    ];
    let targets = event.target_ids.join(",");
    let parts: [&str; 16] = [
        &event.county_key,
        &numbers[0],
        &event.event_id,
        &numbers[1],
        &event.county_code,
        &event.county_name,
        &event.principal_id,
        &event.agency_id,
        &numbers[2],
        &numbers[3],
        &event.target_type,
        &targets,
        &event.reason_code,
        &event.result,
        &event.idempotency_key,
        &event.request_sha256,
    ];
    let mut bytes = Vec::with_capacity(256);
    for part in parts {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    bytes
}

/// The hash of `event` chained after `prev_hash`.
#[must_use]
pub fn event_hash(prev_hash: &str, event: &AuditRecord) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_bytes(event));
    super::hex(&hasher.finalize())
}

/// Fills in `sequence`, `prev_hash` and `hash` of `event`, appended after `previous`.
pub fn seal(event: &mut AuditRecord, previous: Option<(i64, &str)>) {
    let (sequence, prev) = previous.map_or((1, GENESIS), |(s, h)| (s + 1, h));
    event.sequence = sequence;
    event.prev_hash = prev.to_owned();
    event.hash = event_hash(prev, event);
}

/// Why a link fails (the proto `ChainProblem` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    PrevHashMismatch = 1,
    HashMismatch = 2,
    SequenceGap = 3,
}

/// The first link that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub sequence: i64,
    pub event_id: String,
    pub problem: Problem,
    pub expected_hash: String,
    pub actual_hash: String,
}

/// Walks a chain in sequence order, one event at a time.
#[derive(Clone, Debug)]
pub struct ChainCheck {
    expected_sequence: i64,
    expected_prev: String,
    pub checked: u64,
}

impl ChainCheck {
    /// A check starting at `first_sequence`, whose predecessor's hash is `prev_hash`.
    #[must_use]
    pub fn new(first_sequence: i64, prev_hash: &str) -> Self {
        Self {
            expected_sequence: first_sequence,
            expected_prev: prev_hash.to_owned(),
            checked: 0,
        }
    }

    /// Checks the next event; the first failure is returned and the walk should stop.
    pub fn next(&mut self, event: &AuditRecord) -> Result<(), Broken> {
        let broken = |problem, expected: &str, actual: &str| Broken {
            sequence: event.sequence,
            event_id: event.event_id.clone(),
            problem,
            expected_hash: expected.to_owned(),
            actual_hash: actual.to_owned(),
        };
        if event.sequence != self.expected_sequence {
            return Err(Broken {
                sequence: self.expected_sequence,
                ..broken(Problem::SequenceGap, &self.expected_prev, &event.prev_hash)
            });
        }
        if event.prev_hash != self.expected_prev {
            return Err(broken(
                Problem::PrevHashMismatch,
                &self.expected_prev,
                &event.prev_hash,
            ));
        }
        let recomputed = event_hash(&event.prev_hash, event);
        if recomputed != event.hash {
            return Err(broken(Problem::HashMismatch, &recomputed, &event.hash));
        }
        self.expected_sequence += 1;
        self.expected_prev.clone_from(&event.hash);
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: i64) -> AuditRecord {
        AuditRecord {
            county_key: "19".into(),
            sequence: 0,
            event_id: format!("E{n}"),
            occurred_at_ms: 1_000 + n,
            county_code: "19".into(),
            county_name: "LOS ANGELES".into(),
            principal_id: "alice".into(),
            agency_id: "da-19".into(),
            role: 1,
            action: 5,
            target_type: "review_item".into(),
            target_ids: vec![format!("I{n}")],
            reason_code: String::new(),
            result: "OK".into(),
            idempotency_key: "k".into(),
            request_sha256: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut events: Vec<AuditRecord> = Vec::new();
        for i in 1..=n {
            let mut e = event(i);
            let previous = events.last().map(|p| (p.sequence, p.hash.as_str()));
            seal(&mut e, previous);
            events.push(e);
        }
        events
    }

    fn first_broken(events: &[AuditRecord]) -> Option<Broken> {
        let mut check = ChainCheck::new(1, GENESIS);
        events.iter().find_map(|e| check.next(e).err())
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(5);
        assert_eq!(events[0].prev_hash, GENESIS);
        assert_eq!(events[4].sequence, 5);
        assert_eq!(first_broken(&events), None);
    }

    #[test]
    fn an_altered_event_is_named() {
        let mut events = chain(5);
        events[2].reason_code = "FORGED".into();
        let broken = first_broken(&events).expect("broken");
        assert_eq!(
            (broken.sequence, broken.problem),
            (3, Problem::HashMismatch)
        );
        // Re-hashing the altered event breaks the next link instead.
        events[2].hash = event_hash(&events[2].prev_hash, &events[2]);
        let broken = first_broken(&events).expect("broken");
        assert_eq!(
            (broken.sequence, broken.problem),
            (4, Problem::PrevHashMismatch)
        );
    }

    #[test]
    fn a_deleted_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        let broken = first_broken(&events).expect("broken");
        assert_eq!((broken.sequence, broken.problem), (2, Problem::SequenceGap));
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = event(1);
        let mut b = event(1);
        a.target_type = "ab".into();
        a.reason_code = "c".into();
        b.target_type = "a".into();
        b.reason_code = "bc".into();
        assert_ne!(canonical_bytes(&a), canonical_bytes(&b));
    }
}
