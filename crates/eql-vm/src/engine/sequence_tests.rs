//! Tests of the sequence state: ordering of delayed matches, the caps, `until`, keys that
//! come back after eviction, and which stages a key without state refuses.

use super::*;
use crate::engine::keys::KeyVal;

fn ev(n: i64) -> Arc<StoredEvent> {
    StoredEvent::numbered(n)
}

fn hits(stages: &[usize], until: bool) -> Hits {
    Hits {
        stages: stages.iter().copied().collect(),
        until,
    }
}

/// Feeds one event to `s` with a join check that always passes.
fn feed(
    s: &mut SequenceState,
    key: KeyTuple,
    hits: &Hits,
    ev: &Arc<StoredEvent>,
    out: &mut Vec<SeqMatch>,
) {
    let hash = s.key_hash(&key);
    s.on_event(key, hash, hits, ev, out, &mut |_, _, _| true);
}

fn ids(out: &[SeqMatch]) -> Vec<Vec<String>> {
    out.iter()
        .map(|m| {
            m.events
                .iter()
                .flatten()
                .map(|e| e.line.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn delayed_sequences_leave_in_last_event_order() {
    let key = |k: i64| -> KeyTuple { std::iter::once(KeyVal::Int(k)).collect() };
    // Two positive stages and a trailing missing stage, maxspan 10.
    let mut s = SequenceState::new(&[false, false, true], Some(10));
    let mut out = Vec::new();
    feed(&mut s, key(2), &hits(&[0], false), &ev(1), &mut out);
    feed(&mut s, key(1), &hits(&[0], false), &ev(3), &mut out);
    // Key 1 completes first (last event 5) but its window closes later (3 + 10).
    feed(&mut s, key(1), &hits(&[1], false), &ev(5), &mut out);
    feed(&mut s, key(2), &hits(&[1], false), &ev(6), &mut out);
    s.advance(12, &mut out);
    assert!(out.is_empty(), "key 2 must wait behind key 1");
    s.advance(14, &mut out);
    assert_eq!(ids(&out), [["3", "5"], ["1", "6"]]);
}

#[test]
fn the_delayed_cap_releases_the_oldest_early_and_a_missing_event_cancels_only_its_key() {
    let key = |k: i64| -> KeyTuple { std::iter::once(KeyVal::Int(k)).collect() };
    // Two positive stages and a trailing missing stage, maxspan 10, at most 2 held back.
    let mut s = SequenceState::new(&[false, false, true], Some(10)).with_max_keys(2);
    let mut out = Vec::new();
    for (k, a, b) in [(1, 1, 2), (2, 3, 4), (3, 5, 6)] {
        feed(&mut s, key(k), &hits(&[0], false), &ev(a), &mut out);
        feed(&mut s, key(k), &hits(&[1], false), &ev(b), &mut out);
    }
    // Key 3's completion pushed key 1's sequence out before its window closed.
    assert_eq!(ids(&out), [["1", "2"]]);
    assert_eq!(s.take_forced(), 1);
    assert_eq!(s.take_forced(), 0, "the count is taken once");
    assert_eq!(s.delayed_len(), 2);
    // A missing-stage event of key 2 inside its window cancels key 2's sequence only.
    feed(&mut s, key(2), &hits(&[2], false), &ev(7), &mut out);
    assert_eq!(s.delayed_len(), 1);
    s.advance(100, &mut out);
    assert_eq!(ids(&out), [["1", "2"], ["5", "6"]]);
    assert_eq!(s.take_forced(), 0);
}

#[test]
fn an_until_event_that_is_a_stage_event_completes_but_leaves_nothing_pending() {
    let key = KeyTuple::new();
    // Three stages; event 3 matches the last stage and the until condition.
    let mut s = SequenceState::new(&[false, false, false], None);
    let mut out = Vec::new();
    feed(&mut s, key.clone(), &hits(&[0], false), &ev(1), &mut out);
    feed(&mut s, key.clone(), &hits(&[1], false), &ev(2), &mut out);
    feed(&mut s, key.clone(), &hits(&[2], true), &ev(3), &mut out);
    assert_eq!(ids(&out), [["1", "2", "3"]]);
    // Event 2 matches stage 1 and the until condition: the sequence it extends is pending
    // no longer, so event 3 completes nothing.
    let mut s = SequenceState::new(&[false, false, false], None);
    let mut out = Vec::new();
    feed(&mut s, key.clone(), &hits(&[0], false), &ev(1), &mut out);
    feed(&mut s, key.clone(), &hits(&[1], true), &ev(2), &mut out);
    feed(&mut s, key.clone(), &hits(&[2], false), &ev(3), &mut out);
    assert!(out.is_empty());
    // A plain until event drops what is pending.
    let mut s = SequenceState::new(&[false, false], None);
    feed(&mut s, key.clone(), &hits(&[0], false), &ev(1), &mut out);
    feed(&mut s, key.clone(), &hits(&[], true), &ev(2), &mut out);
    feed(&mut s, key.clone(), &hits(&[1], false), &ev(3), &mut out);
    assert!(out.is_empty());
}

/// A key's hash as the engine takes it.
fn real_hash(s: &SequenceState, k: &KeyTuple) -> u64 {
    s.key_hash(k)
}

/// One hash for every key: the table must tell keys apart by their values alone, and the
/// arrival order (hash and `born` number) must still evict the right one.
fn one_hash(_: &SequenceState, _: &KeyTuple) -> u64 {
    7
}

#[test]
fn keys_evicted_or_ended_by_until_come_back_fresh() {
    evicted_or_ended_keys_come_back_fresh(real_hash);
}

#[test]
fn keys_sharing_a_hash_are_kept_evicted_and_ended_apart() {
    evicted_or_ended_keys_come_back_fresh(one_hash);
}

fn evicted_or_ended_keys_come_back_fresh(hash_of: fn(&SequenceState, &KeyTuple) -> u64) {
    // Three positive stages (more pending slots than are kept inline), at most two keys,
    // keys of three values: an escaped string, a number and a null.
    let key = |name: &str| -> KeyTuple {
        [KeyVal::Str(name.into()), KeyVal::Int(7), KeyVal::Null]
            .into_iter()
            .collect()
    };
    let (a, b, c) = (key("a\"b\\"), key("b\u{e9}"), key(""));
    let mut s = SequenceState::new(&[false, false, false], None).with_max_keys(2);
    let mut out = Vec::new();
    let mut hit = |s: &mut SequenceState, k: &KeyTuple, stages: &[usize], until, n| {
        let hash = hash_of(s, k);
        s.on_event(
            k.clone(),
            hash,
            &hits(stages, until),
            &ev(n),
            &mut out,
            &mut |_, _, _| true,
        );
    };
    hit(&mut s, &a, &[0], false, 1);
    // An until event ends key a's state; its entry in the arrival order goes stale.
    hit(&mut s, &a, &[], true, 2);
    assert_eq!(s.tracked_keys(), 0);
    hit(&mut s, &a, &[0], false, 3);
    hit(&mut s, &b, &[0], false, 4);
    // Key c evicts the oldest key with state: a (its stale entry is passed over).
    hit(&mut s, &c, &[0], false, 5);
    assert_eq!((s.tracked_keys(), s.evicted), (2, 1));
    hit(&mut s, &b, &[1], false, 6);
    hit(&mut s, &b, &[2], false, 7);
    // Key a comes back with nothing pending: its stage-1 event evicts b and starts nothing.
    hit(&mut s, &a, &[1], false, 8);
    assert_eq!((s.tracked_keys(), s.evicted), (2, 2));
    hit(&mut s, &a, &[2], false, 9);
    hit(&mut s, &a, &[0], false, 10);
    hit(&mut s, &a, &[1], false, 11);
    hit(&mut s, &a, &[2], false, 12);
    assert_eq!(ids(&out), [["4", "6", "7"], ["10", "11", "12"]]);
    assert_eq!(out[0].keys, b);
    assert_eq!(out[1].keys, a);
}

#[test]
fn only_stages_that_need_a_key_s_state_are_refused_for_lack_of_it() {
    let key = |k: i64| -> KeyTuple { std::iter::once(KeyVal::Int(k)).collect() };
    // Leading missing, first positive, middle missing, second positive.
    let mut s = SequenceState::new(&[true, false, true, false], None);
    let wants = |s: &SequenceState, k: i64, stages: &[usize], until: bool| {
        s.wants(&key(k), s.key_hash(&key(k)), &hits(stages, until))
    };
    assert!(
        wants(&s, 1, &[0], false),
        "a leading missing stage always can"
    );
    assert!(
        wants(&s, 1, &[1], false),
        "a first positive stage always can"
    );
    assert!(!wants(&s, 1, &[3], false), "nothing pending to extend");
    assert!(!wants(&s, 1, &[2], false), "nothing pending to block");
    assert!(!wants(&s, 1, &[], true), "no state to end");
    assert!(
        wants(&s, 1, &[3, 2, 1], false),
        "any stage that can decides"
    );
    let mut out = Vec::new();
    feed(&mut s, key(1), &hits(&[1], false), &ev(1), &mut out);
    assert!(wants(&s, 1, &[3], false));
    assert!(wants(&s, 1, &[2], false));
    assert!(wants(&s, 1, &[], true));
    assert!(!wants(&s, 2, &[3, 2], true), "another key has no state");
    assert!(
        !s.wants(&key(2), s.key_hash(&key(1)), &hits(&[3, 2], true)),
        "nor does it when its hash is the same"
    );
}

/// `tick` then `advance` when it declines gives what `advance` alone gives, event by event:
/// held sequences released when their windows close, and the sweep on the same event.
#[test]
fn a_tick_moves_the_clock_as_advance_does() {
    let key = |k: i64| -> KeyTuple { std::iter::once(KeyVal::Int(k)).collect() };
    let new = || SequenceState::new(&[false, false, true], Some(10));
    let (mut a, mut b) = (new(), new());
    let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
    let mut declined = 0;
    for t in 0..3 * i64::from(SWEEP_EVERY) {
        // Now and then a sequence completes (held back by the trailing missing stage), and a
        // first stage starts one that the sweep must drop.
        if t % 97 == 0 {
            for s in [&mut a, &mut b] {
                let mut out = Vec::new();
                feed(s, key(t), &hits(&[0], false), &ev(t), &mut out);
                feed(s, key(t), &hits(&[1], false), &ev(t + 1), &mut out);
                feed(s, key(-t), &hits(&[0], false), &ev(t), &mut out);
                assert!(out.is_empty());
            }
        }
        if !a.tick(t) {
            declined += 1;
            a.advance(t, &mut out_a);
        }
        b.advance(t, &mut out_b);
        assert_eq!(ids(&out_a), ids(&out_b), "at {t}");
        assert_eq!(a.tracked_keys(), b.tracked_keys(), "at {t}");
        assert_eq!(a.delayed_len(), b.delayed_len(), "at {t}");
    }
    assert!(!out_b.is_empty());
    // The releases and the sweeps, not every event.
    assert!(declined > 0 && declined < 200, "{declined}");
}

#[test]
fn a_key_s_table_entry_stays_small() {
    // Nearly every event a sequence takes makes a new key, so an entry's size is written (and
    // moved as the table grows) once per key: 256 bytes before the leading stage's queue was
    // boxed and a partial's pending slots shrank to what a two-stage sequence needs.
    assert!(
        std::mem::size_of::<Partial>() <= 48,
        "{}",
        std::mem::size_of::<Partial>()
    );
    let entry = std::mem::size_of::<crate::engine::keyed::Keyed<KeyState>>();
    assert!(entry <= 136, "{entry}");
}

#[test]
fn a_two_stage_key_pends_one_partial_and_a_leading_queue_only_when_needed() {
    let key: KeyTuple = std::iter::once(KeyVal::Int(1)).collect();
    // Two positive stages: the second completes, so only the first pends.
    let mut s = SequenceState::new(&[false, false], Some(10));
    let mut out = Vec::new();
    feed(&mut s, key.clone(), &hits(&[0], false), &ev(1), &mut out);
    let st = s
        .keys
        .get(&key, s.key_hash(&key))
        .expect("the key has state");
    assert_eq!(st.pending.len(), 1);
    assert!(st.leading.is_none());
    // A leading missing stage: its events are remembered, and forgotten by the sweep.
    let mut s = SequenceState::new(&[true, false, false], Some(10));
    feed(&mut s, key.clone(), &hits(&[0], false), &ev(1), &mut out);
    let st = s
        .keys
        .get(&key, s.key_hash(&key))
        .expect("the key has state");
    assert_eq!(st.leading.as_ref().map(|l| l.len()), Some(1));
    s.advance(30, &mut out);
    s.sweep();
    assert_eq!(s.tracked_keys(), 0);
    assert!(out.is_empty());
}

#[test]
fn four_positive_stages_complete_past_the_inline_events_and_a_middle_miss_dooms() {
    let key = |k: i64| -> KeyTuple { std::iter::once(KeyVal::Int(k)).collect() };
    // [a] ![m] [b] [c] [d], maxspan 100.
    let mut s = SequenceState::new(&[false, true, false, false, false], Some(100));
    let mut out = Vec::new();
    // Key 1: nothing missing in between, completes with four events.
    for (stage, n) in [(0, 1), (2, 2), (3, 3), (4, 4)] {
        feed(&mut s, key(1), &hits(&[stage], false), &ev(n), &mut out);
    }
    assert_eq!(ids(&out), [["1", "2", "3", "4"]]);
    // Key 2: the missing event falls between its first two events: doomed.
    for (stage, n) in [(0, 5), (1, 6), (2, 7), (3, 8), (4, 9)] {
        feed(&mut s, key(2), &hits(&[stage], false), &ev(n), &mut out);
    }
    // Key 3: the missing event comes before its first event: not blocked.
    for (stage, n) in [(1, 10), (0, 11), (2, 12), (3, 13), (4, 14)] {
        feed(&mut s, key(3), &hits(&[stage], false), &ev(n), &mut out);
    }
    assert_eq!(ids(&out), [["1", "2", "3", "4"], ["11", "12", "13", "14"]]);
}
