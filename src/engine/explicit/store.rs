//! The visited set: every explored state's packed key, encoded sparsely into a flat arena, and
//! an open-addressing hash table of state ids over them. A key of a large cluster is mostly
//! zeroes (per pod group and node: the pods bound, running, terminating there), so a key is
//! stored as runs: the length of a run of zeroes, the length of the run of other values after
//! it, and those values, each number a variable-length integer (values zigzag-encoded). A
//! state costs its encoded length plus eight bytes of index and at most sixteen bytes of
//! table, not a `ClusterState` of many vectors nor its whole key; states are unpacked on
//! demand. Keys may leave out fields every stored state shares ([`Fields`]); states are read
//! back with those of the store's first state. A search that looks several keys up at once
//! can prefetch their table slots and then their stored keys ([`Store::prefetch`],
//! [`Store::prefetch_match`]): on a large store each lookup is otherwise two cache misses in
//! a row. It must not know what the values mean: which fields a key holds is the state's
//! business.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use crate::domain::Concrete;
use crate::model::state::Fields;
use crate::model::ClusterState;

pub struct Store {
    /// Values per key.
    stride: usize,
    /// The encoded keys, back to back in chunks of at least [`CHUNK_BYTES`]: a key never
    /// straddles two chunks, and a full chunk is never copied again.
    chunks: Vec<Vec<u8>>,
    /// Per state id: the chunk its encoded key is in, and where in it the key starts.
    at: Vec<(u32, u32)>,
    /// Linear probing, at most half full. A slot is 0 (empty) or the high half of a key's hash
    /// (its tag) above the key's id plus one. A key's first slot is its tag modulo the table
    /// size, so growing the table needs no key and no hash but the tag.
    slots: Vec<u64>,
    /// A state of the model, for the shape of unpacked states (and the values of the fields
    /// keys leave out).
    shape: ClusterState<Concrete>,
    /// The fields keys hold.
    fields: Fields,
}

/// The least room a chunk of encoded keys is made with (more where one key needs more).
const CHUNK_BYTES: usize = 1 << 20;

/// The part of a key's hash a slot keeps (and the table is indexed by).
fn tag(h: u64) -> u64 {
    h >> 32
}

/// Appends `n` as a variable-length integer: seven bits a byte, low bits first, the high bit
/// set on every byte but the last.
fn put(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a variable-length integer written by [`put`] at `b[*i..]`, moving `*i` past it.
#[inline]
fn take(b: &[u8], i: &mut usize) -> u32 {
    let (mut n, mut shift) = (0u32, 0);
    loop {
        let byte = b[*i];
        *i += 1;
        n |= u32::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// A value as an unsigned number that is small when the value is near zero: 0, -1, 1, -2, ...
/// become 0, 1, 2, 3, ...
fn zigzag(v: i16) -> u32 {
    u32::from(((v << 1) ^ (v >> 15)) as u16)
}

fn unzigzag(n: u32) -> i16 {
    ((n >> 1) as u16 as i16) ^ -((n & 1) as i16)
}

/// Appends `key` encoded: runs of a count of zeroes, a count of other values, and those
/// values, until the key is covered (a key that ends in zeroes ends with a run of no other
/// values). Equal keys encode alike, an encoding ends where its key is covered (so none is
/// the start of another of the same length of key), and [`decode`] gives the key back.
fn encode(key: &[i16], out: &mut Vec<u8>) {
    let (n, mut i) = (key.len(), 0);
    while i < n {
        let start = i;
        // Zeroes eight at a time first: most of a large cluster's key.
        while key.get(i..i + 8).is_some_and(|c| c.iter().fold(0, |acc, &v| acc | v) == 0) {
            i += 8;
        }
        while i < n && key[i] == 0 {
            i += 1;
        }
        let zeros = i - start;
        let others = key[i..].iter().position(|&v| v == 0).unwrap_or(n - i);
        put(out, zeros as u32);
        put(out, others as u32);
        for &v in &key[i..i + others] {
            put(out, zigzag(v));
        }
        i += others;
    }
}

/// Writes the key encoded at the start of `b` into `key` (of the key's length).
fn decode(b: &[u8], key: &mut [i16]) {
    let (mut i, mut at) = (0, 0);
    while at < key.len() {
        let zeros = take(b, &mut i) as usize;
        key[at..at + zeros].fill(0);
        at += zeros;
        for _ in 0..take(b, &mut i) {
            key[at] = unzigzag(take(b, &mut i));
            at += 1;
        }
    }
}

/// Asks the processor to bring the cache line at `p` in; a hint, never a read.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch does not dereference its address and cannot fault; SSE is part of
    // every x86_64 target.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl Store {
    pub fn new(shape: &ClusterState<Concrete>) -> Store {
        Store::of_fields(shape, Fields::ALL)
    }

    /// A store of keys of `fields` (packed with them): every state it holds has the values of
    /// `shape` in the fields left out, and is read back with them.
    pub fn of_fields(shape: &ClusterState<Concrete>, fields: Fields) -> Store {
        let stride = shape.packed_len(fields);
        Store { stride, chunks: Vec::new(), at: Vec::new(), slots: vec![0; 16], shape: shape.clone(), fields }
    }

    /// The fields keys hold.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The encoded key of state `id`, and what follows it in its chunk.
    fn bytes(&self, id: u32) -> &[u8] {
        let (chunk, at) = self.at[id as usize];
        &self.chunks[chunk as usize][at as usize..]
    }

    /// The packed state `id` (tests read keys back; a search never needs them).
    #[cfg(test)]
    fn key(&self, id: u32) -> Vec<i16> {
        let mut key = vec![0; self.stride];
        decode(self.bytes(id), &mut key);
        key
    }

    /// Appends the encoding of the packed state `key` to `enc`: what
    /// [`find_hashed`](Self::find_hashed) and [`insert_hashed`](Self::insert_hashed) take.
    pub fn encode(&self, key: &[i16], enc: &mut Vec<u8>) {
        assert_eq!(key.len(), self.stride, "model bug: states of one model pack to different lengths");
        encode(key, enc);
    }

    /// The hash of an encoded key that [`find_hashed`](Self::find_hashed) and
    /// [`insert_hashed`](Self::insert_hashed) take.
    pub fn hash(enc: &[u8]) -> u64 {
        FxBuildHasher.hash_one(enc)
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Prefetches the first table slot of the key with hash `h`.
    pub fn prefetch(&self, h: u64) {
        prefetch(&self.slots[tag(h) as usize & self.mask()]);
    }

    /// Prefetches the stored key the first slot of hash `h` names, when its tag matches (best
    /// after [`prefetch`](Self::prefetch) of the same hash has had time to land).
    pub fn prefetch_match(&self, h: u64) {
        let e = self.slots[tag(h) as usize & self.mask()];
        if e != 0 && e >> 32 == tag(h) {
            let id = (e as u32).wrapping_sub(1);
            if let Some(&(chunk, at)) = self.at.get(id as usize) {
                prefetch(self.chunks[chunk as usize][at as usize..].as_ptr());
            }
        }
    }

    /// The id of state `st` (packed into `key`, a reused buffer), if stored: a key alone
    /// does not tell a state whose left-out fields differ from those of every stored state.
    pub fn find_state(&self, st: &ClusterState<Concrete>, key: &mut Vec<i16>) -> Option<u32> {
        if st.conditions_differing_from(&self.shape).has(self.fields.left_out) {
            return None;
        }
        st.pack_fields_into(None, self.fields, key);
        self.find(key)
    }

    /// The id of the packed state `key`, if stored.
    pub fn find(&self, key: &[i16]) -> Option<u32> {
        let mut enc = Vec::new();
        self.encode(key, &mut enc);
        self.find_hashed(&enc, Self::hash(&enc))
    }

    /// The id of the state of encoded key `enc` ([`encode`](Self::encode)) and hash `h`
    /// ([`hash`](Self::hash)), if stored.
    pub fn find_hashed(&self, enc: &[u8], h: u64) -> Option<u32> {
        let (t, mask) = (tag(h), self.mask());
        let mut i = t as usize & mask;
        loop {
            let e = self.slots[i];
            if e == 0 {
                return None;
            }
            // The stored bytes from the key's start: an encoding ends where its key is
            // covered, so one that starts with `enc` is `enc`.
            if e >> 32 == t && self.bytes((e as u32) - 1).starts_with(enc) {
                return Some((e as u32) - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores the packed state `key` (not stored yet) and returns its id.
    pub fn insert(&mut self, key: &[i16]) -> u32 {
        let mut enc = Vec::new();
        self.encode(key, &mut enc);
        self.insert_hashed(&enc, Self::hash(&enc))
    }

    /// Stores the state of encoded key `enc` and hash `h` (not stored yet), as
    /// [`find_hashed`](Self::find_hashed) takes them, and returns its id.
    pub fn insert_hashed(&mut self, enc: &[u8], h: u64) -> u32 {
        let id = u32::try_from(self.at.len()).ok().filter(|&id| id < u32::MAX).expect("more than 4 billion states");
        if self.chunks.last().is_none_or(|c| c.capacity() - c.len() < enc.len()) {
            self.chunks.push(Vec::with_capacity(enc.len().max(CHUNK_BYTES)));
        }
        let chunk = self.chunks.len() - 1;
        let last = &mut self.chunks[chunk];
        let at = u32::try_from(last.len()).expect("a chunk holds less than 4 GiB");
        last.extend_from_slice(enc);
        self.at.push((chunk as u32, at));
        if 2 * self.at.len() > self.slots.len() {
            self.grow();
        }
        self.place(tag(h) << 32 | (id as u64 + 1));
        id
    }

    /// Puts entry `e` in the first empty slot from its tag's.
    fn place(&mut self, e: u64) {
        let mask = self.mask();
        let mut i = (e >> 32) as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = e;
    }

    /// Doubles the table. Tags are 32 bits, so a table of more than 2^32 slots would leave
    /// its upper half unused; a store of 2^31 states is far beyond any memory this runs in.
    fn grow(&mut self) {
        let bigger = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        for e in old.into_iter().filter(|&e| e != 0) {
            self.place(e);
        }
    }

    /// State `id`, unpacked.
    pub fn get(&self, id: u32) -> ClusterState<Concrete> {
        let mut st = self.shape.clone();
        self.load(id, &mut st);
        st
    }

    /// Unpacks state `id` into `st` (a state of the same model), reusing its allocations.
    pub fn load(&self, id: u32, st: &mut ClusterState<Concrete>) {
        KEY.with_borrow_mut(|key| self.load_keyed(id, st, key));
    }

    /// [`load`](Self::load), leaving in `key` the packed state it decoded: the key of `st`
    /// (`ClusterState::pack_fields_into` with the store's fields), which a search expanding
    /// `st` patches its successors' keys from instead of packing `st` again.
    pub fn load_keyed(&self, id: u32, st: &mut ClusterState<Concrete>, key: &mut Vec<i16>) {
        key.resize(self.stride, 0);
        decode(self.bytes(id), key);
        st.unpack_with(key, self.fields, i64::from);
        st.copy_conditions_from(&self.shape, self.fields.left_out);
    }
}

thread_local! {
    /// The key [`Store::load`] decodes into, kept from one state to the next.
    static KEY: std::cell::RefCell<Vec<i16>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// Packing then unpacking gives back the same state; equal keys get one id.
    #[test]
    fn states_round_trip_and_are_stored_once() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let s0 = m.initial_state(&[2]);
        let mut s1 = s0.clone();
        s1.pending[0] = 2;
        s1.bound[0][1] = 1;
        s1.cordoned[0] = true;
        s1.desired[0] = 7;
        let mut store = Store::new(&s0);
        let a = store.insert(&s0.pack());
        let b = store.insert(&s1.pack());
        assert_eq!((a, b, store.len()), (0, 1, 2));
        assert_eq!(store.find(&s1.pack()), Some(1));
        assert_eq!(store.get(1).pack(), s1.pack());
        assert_eq!(format!("{:?}", store.get(1)), format!("{s1:?}"));
        let mut scratch = s1.clone();
        store.load(0, &mut scratch);
        assert_eq!(format!("{scratch:?}"), format!("{s0:?}"));
        // Values far from zero, and negative ones, are read back too.
        let mut s2 = s1.clone();
        s2.desired[0] = 300;
        s2.bound[0][0] = -2;
        assert_eq!(store.insert(&s2.pack()), 2);
        for (id, st) in [(0, &s0), (1, &s1), (2, &s2)] {
            assert_eq!(format!("{:?}", store.get(id)), format!("{st:?}"));
        }
    }

    /// A store whose keys leave some node conditions out reads states back with the first
    /// state's values of those, keeps the others, and finds no state that differs from the
    /// first in one left out.
    #[test]
    fn left_out_conditions_come_back_from_the_first_state() {
        use crate::model::state::Conditions;
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let s0 = m.initial_state(&[2]);
        let left_out = Conditions::CORDONED.with(Conditions::PRESENT);
        let fields = Fields { left_out };
        let mut store = Store::of_fields(&s0, fields);
        assert_eq!(store.stride, s0.pack().len() - 2 * 2);
        let mut s1 = s0.clone();
        s1.status[1] = crate::model::state::NOT_READY;
        s1.bound[0][0] = 2;
        let mut key = Vec::new();
        for st in [&s0, &s1] {
            st.pack_fields_into(None, fields, &mut key);
            store.insert(&key);
        }
        let mut back = s0.clone();
        back.cordoned[0] = true;
        store.load(1, &mut back);
        assert_eq!(format!("{back:?}"), format!("{s1:?}"));
        assert_eq!(store.find_state(&s1, &mut key), Some(1));
        let mut cordoned = s1.clone();
        cordoned.cordoned[1] = true;
        assert_eq!(store.find_state(&cordoned, &mut key), None);
        assert_eq!(cordoned.conditions_differing_from(&s1), Conditions::CORDONED);
    }

    /// Keys whose hashes agree entirely (so their tags and first slots too) are told apart
    /// by their keys, including when their probe wraps past the end of the table.
    #[test]
    fn keys_with_one_hash_are_told_apart() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let mut store = Store::new(&m.initial_state(&[2]));
        let mut key = m.initial_state(&[2]).pack();
        // Tag 31 is the last slot of the first table (16 slots) and of the next (32 slots).
        let h = 31u64 << 32 | 7;
        let enc = |store: &Store, key: &[i16]| {
            let mut e = Vec::new();
            store.encode(key, &mut e);
            e
        };
        for i in 0..12 {
            key[0] = i;
            let e = enc(&store, &key);
            assert_eq!(store.find_hashed(&e, h), None);
            store.prefetch(h);
            store.prefetch_match(h);
            assert_eq!(store.insert_hashed(&e, h), i as u32);
        }
        for i in 0..12 {
            key[0] = i;
            assert_eq!(store.find_hashed(&enc(&store, &key), h), Some(i as u32));
        }
        key[0] = 12;
        assert_eq!(store.find_hashed(&enc(&store, &key), h), None);
    }

    /// Every value an `i16` holds, and runs of zeroes at either end and in between, are read
    /// back as stored, and a key that differs from a stored one in a single value (in a run of
    /// zeroes, or in a run of others) is not mistaken for it.
    #[test]
    fn keys_of_every_value_round_trip() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let mut store = Store::new(&m.initial_state(&[2]));
        let len = m.initial_state(&[2]).pack().len();
        assert!(len >= 6, "{len}");
        let with = |at: &[(usize, i16)]| {
            let mut k = vec![0; len];
            for &(i, v) in at {
                k[i] = v;
            }
            k
        };
        let keys = [
            with(&[]),
            with(&[(0, i16::MIN), (1, i16::MAX)]),
            with(&[(len - 1, -1)]),
            with(&[(0, 1), (2, -128), (3, 127), (len - 1, 300)]),
            with(&[(1, 64), (2, -65), (len - 2, 8191), (len - 1, -8193)]),
            (0..len).map(|i| i as i16 - 3).collect(),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(store.find(k), None, "{k:?}");
            assert_eq!(store.insert(k), i as u32);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(store.find(k), Some(i as u32), "{k:?}");
            assert_eq!(&store.key(i as u32), k);
        }
        for k in &keys {
            for i in 0..len {
                let mut other = k.clone();
                other[i] = if k[i] == 0 { 1 } else { 0 };
                if !keys.contains(&other) {
                    assert_eq!(store.find(&other), None, "{other:?}");
                }
            }
        }
        // Mostly zeroes, a key takes a few bytes: two counts a run and a byte a small value.
        let (mut out, mut big) = (Vec::new(), vec![0i16; 6000]);
        big[10] = 2;
        big[4000] = -1;
        encode(&big, &mut out);
        assert_eq!(out.len(), 10, "{out:?}");
    }

    /// A value outside the packed range stops packing with its value, whichever field and
    /// node order it is packed in, rather than being truncated.
    #[test]
    fn a_value_out_of_the_packed_range_is_a_model_bug() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let s0 = m.initial_state(&[2]);
        let message = |st: &ClusterState<Concrete>, perm: Option<&[usize]>| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match perm {
                Some(p) => st.pack_renamed_into(p, &mut Vec::new()),
                None => st.pack_into(&mut Vec::new()),
            }))
            .expect_err("packing must stop")
            .downcast::<String>()
            .map(|s| *s)
            .unwrap_or_default()
        };
        let mut a = s0.clone();
        a.bound[0][1] = 40_000;
        let mut b = s0.clone();
        b.desired[0] = -32_769;
        assert_eq!(message(&a, None), "model bug: state value 40000 out of the packed range");
        assert_eq!(message(&a, Some(&[1, 0])), "model bug: state value 40000 out of the packed range");
        assert_eq!(message(&b, None), "model bug: state value -32769 out of the packed range");
        // Node rows (twins, canonical order) check the same range.
        let rows = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            a.node_rows(&mut crate::model::state::Scratch::default());
        }));
        assert_eq!(
            rows.expect_err("rows must stop").downcast::<String>().map(|s| *s).unwrap_or_default(),
            "model bug: state value 40000 out of the packed range"
        );
        let mut c = s0.clone();
        c.bound[0][1] = 32_767;
        c.desired[0] = -32_768;
        let (mut renamed_key, mut renamed) = (Vec::new(), c.clone());
        c.pack_renamed_into(&[1, 0], &mut renamed_key);
        renamed.apply_renaming(&[1, 0]);
        assert_eq!(renamed_key, renamed.pack());
        let mut back = s0.clone();
        back.unpack_from(&c.pack());
        assert_eq!(back.pack(), c.pack());
    }

    /// Ids and keys stay right across chunk boundaries.
    #[test]
    fn keys_survive_growing_past_a_chunk() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let s0 = m.initial_state(&[2]);
        let mut store = Store::new(&s0);
        let mut key = s0.pack();
        let n = 300_000;
        let at = |i: usize| [(i % 30_000) as i16, (i / 30_000) as i16];
        for i in 0..n {
            key[..2].copy_from_slice(&at(i));
            assert_eq!(store.insert(&key), i as u32);
        }
        assert!(store.chunks.len() >= 2, "{} chunks", store.chunks.len());
        // The first and last key of each chunk, and some between.
        let mut ids: Vec<usize> = (1..store.len()).filter(|&i| store.at[i].0 != store.at[i - 1].0).collect();
        ids.extend(ids.clone().iter().map(|&i| i - 1));
        ids.extend([0, 1, 12_345, n - 1]);
        for i in ids {
            key[..2].copy_from_slice(&at(i));
            assert_eq!(store.find(&key), Some(i as u32));
            assert_eq!(store.key(i as u32), key.as_slice());
        }
        assert_eq!(store.len(), n);
    }
}
