//! The visited set: every explored state packed into one flat arena (all states of a model
//! pack to the same length), indexed by an open-addressing hash table of state ids. Values
//! are kept one byte each while every value stored fits in an `i8` (counts and flags of
//! small clusters), and the arena is widened to two bytes each the first time one does not.
//! A state costs its packed length (in bytes or `i16`s) plus at most sixteen bytes of table,
//! not a `ClusterState` of many vectors; states are unpacked on demand. Keys may leave out
//! fields every stored state shares ([`Fields`]); states are read back with those of the
//! store's first state. A search that looks several keys up at once can prefetch their table
//! slots and then their stored keys ([`Store::prefetch`], [`Store::prefetch_match`]): on a
//! large store each lookup is otherwise two cache misses in a row. It must not know what the
//! values mean: which fields a key holds is the state's business.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use crate::domain::Concrete;
use crate::model::state::Fields;
use crate::model::ClusterState;

pub struct Store {
    /// Values per state.
    stride: usize,
    /// Bytes per value: 1 (each value an `i8`) until a value needs 2 (native-endian `i16`).
    width: usize,
    /// The packed states, `1 << CHUNK_BITS` to a chunk: growing the store copies at most the
    /// last chunk, never the states of the full ones.
    chunks: Vec<Vec<u8>>,
    len: usize,
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

const CHUNK_BITS: u32 = 16;

/// The part of a key's hash a slot keeps (and the table is indexed by).
fn tag(h: u64) -> u64 {
    h >> 32
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
        Store { stride, width: 1, chunks: Vec::new(), len: 0, slots: vec![0; 16], shape: shape.clone(), fields }
    }

    /// The fields keys hold.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The stored bytes of state `id`.
    fn bytes(&self, id: u32) -> &[u8] {
        let size = self.stride * self.width;
        let at = (id & ((1 << CHUNK_BITS) - 1)) as usize * size;
        &self.chunks[(id >> CHUNK_BITS) as usize][at..at + size]
    }

    /// The packed state `id` (tests read keys back; a search never needs them).
    #[cfg(test)]
    fn key(&self, id: u32) -> Vec<i16> {
        let bytes = self.bytes(id);
        match self.width {
            1 => bytes.iter().map(|&b| b as i8 as i16).collect(),
            _ => bytes.as_chunks::<2>().0.iter().map(|&b| i16::from_ne_bytes(b)).collect(),
        }
    }

    /// Whether state `id` is `key`. Every value is compared (no early exit) so that the loop
    /// vectorizes: a lookup that reaches this is nearly always a match.
    fn is(&self, id: u32, key: &[i16]) -> bool {
        let bytes = self.bytes(id);
        match self.width {
            1 => key.iter().zip(bytes).fold(0, |acc, (&k, &b)| acc | (k ^ b as i8 as i16)) == 0,
            _ => {
                key.iter()
                    .zip(bytes.chunks_exact(2))
                    .fold(0, |acc, (&k, b)| acc | (k ^ i16::from_ne_bytes([b[0], b[1]])))
                    == 0
            }
        }
    }

    /// The hash [`find_hashed`](Self::find_hashed) and [`insert_hashed`](Self::insert_hashed)
    /// take.
    pub fn hash(key: &[i16]) -> u64 {
        FxBuildHasher.hash_one(key)
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
            let at = (id & ((1 << CHUNK_BITS) - 1)) as usize * self.stride * self.width;
            if let Some(c) = self.chunks.get((id >> CHUNK_BITS) as usize) {
                prefetch(c[at..].as_ptr());
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
        self.find_hashed(key, Self::hash(key))
    }

    /// [`find`](Self::find), given `key`'s [`hash`](Self::hash).
    pub fn find_hashed(&self, key: &[i16], h: u64) -> Option<u32> {
        let (t, mask) = (tag(h), self.mask());
        let mut i = t as usize & mask;
        loop {
            let e = self.slots[i];
            if e == 0 {
                return None;
            }
            if e >> 32 == t {
                let id = (e as u32) - 1;
                if self.is(id, key) {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores `key` (not stored yet) and returns its id.
    pub fn insert(&mut self, key: &[i16]) -> u32 {
        self.insert_hashed(key, Self::hash(key))
    }

    /// [`insert`](Self::insert), given `key`'s [`hash`](Self::hash).
    pub fn insert_hashed(&mut self, key: &[i16], h: u64) -> u32 {
        assert_eq!(key.len(), self.stride, "model bug: states of one model pack to different lengths");
        let id = u32::try_from(self.len).ok().filter(|&id| id < u32::MAX).expect("more than 4 billion states");
        // Every value fits in an `i8` when every one moved up by 128 is below 256: one
        // branch after a loop that vectorizes (a branch per value did not).
        if self.width == 1 && key.iter().fold(0u16, |acc, &k| acc | (k as u16).wrapping_add(0x80)) >> 8 != 0 {
            self.widen();
        }
        if self.len.trailing_zeros() >= CHUNK_BITS {
            // A full chunk's room up front: filling it never copies it.
            self.chunks.push(Vec::with_capacity((self.stride * self.width) << CHUNK_BITS));
        }
        let chunk = self.chunks.last_mut().expect("a chunk was pushed above");
        // Written over zeroes by one loop from a slice into a slice, which vectorizes.
        let at = chunk.len();
        chunk.resize(at + self.stride * self.width, 0);
        match self.width {
            1 => chunk[at..].iter_mut().zip(key).for_each(|(b, &k)| *b = k as u8),
            _ => chunk[at..].as_chunks_mut::<2>().0.iter_mut().zip(key).for_each(|(b, &k)| *b = k.to_ne_bytes()),
        }
        self.len += 1;
        if 2 * self.len > self.slots.len() {
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

    /// Stores every value in two bytes from now on, re-encoding the states stored so far (once
    /// per search at most). Ids, hashes and the table are unchanged: hashes are of values.
    fn widen(&mut self) {
        for chunk in &mut self.chunks {
            let mut wide = Vec::with_capacity(2 * chunk.capacity());
            wide.extend(chunk.iter().flat_map(|&b| (b as i8 as i16).to_ne_bytes()));
            *chunk = wide;
        }
        self.width = 2;
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
        let bytes = self.bytes(id);
        match self.width {
            1 => st.unpack_with(bytes, self.fields, |b: u8| b as i8 as i64),
            _ => st.unpack_with(bytes.as_chunks::<2>().0, self.fields, |b: [u8; 2]| i16::from_ne_bytes(b) as i64),
        }
        st.copy_conditions_from(&self.shape, self.fields.left_out);
    }
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
        // Read back the same once values are stored two bytes each.
        let mut s2 = s1.clone();
        s2.desired[0] = 300;
        s2.bound[0][0] = -2;
        assert_eq!(store.insert(&s2.pack()), 2);
        assert_eq!(store.width, 2);
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
        for i in 0..12 {
            key[0] = i;
            assert_eq!(store.find_hashed(&key, h), None);
            store.prefetch(h);
            store.prefetch_match(h);
            assert_eq!(store.insert_hashed(&key, h), i as u32);
        }
        for i in 0..12 {
            key[0] = i;
            assert_eq!(store.find_hashed(&key, h), Some(i as u32));
        }
        key[0] = 12;
        assert_eq!(store.find_hashed(&key, h), None);
    }

    /// States stored one byte a value (negative ones too) are found and read back the same
    /// after a value that needs two bytes has widened the store, and a key with such a value
    /// is not mistaken for a stored one before that.
    #[test]
    fn narrow_states_survive_widening() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let mut store = Store::new(&m.initial_state(&[2]));
        let base = m.initial_state(&[2]).pack();
        let with = |a: i16, b: i16| {
            let mut k = base.clone();
            k[0] = a;
            k[1] = b;
            k
        };
        let narrow = [with(-128, 127), with(-1, 0), with(5, -7)];
        for (i, k) in narrow.iter().enumerate() {
            assert_eq!(store.insert(k), i as u32);
        }
        // 384 and -129 agree with -128 and 127 in their low bytes.
        assert_eq!(store.find(&with(384, 127)), None);
        assert_eq!(store.find(&with(-128, -129)), None);
        assert_eq!(store.width, 1);
        assert_eq!(store.insert(&with(383, -300)), 3);
        assert_eq!(store.width, 2);
        for (i, k) in narrow.iter().chain([&with(383, -300)]).enumerate() {
            assert_eq!(store.find(k), Some(i as u32));
            assert_eq!(&store.key(i as u32), k);
        }
        assert_eq!(store.find(&with(127, 127)), None);
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
        let n = (1usize << CHUNK_BITS) * 2 + 3;
        let at = |i: usize| [(i % 30_000) as i16, (i / 30_000) as i16];
        for i in 0..n {
            key[..2].copy_from_slice(&at(i));
            assert_eq!(store.insert(&key), i as u32);
        }
        for i in [0, 1, (1 << CHUNK_BITS) - 1, 1 << CHUNK_BITS, n - 1] {
            key[..2].copy_from_slice(&at(i));
            assert_eq!(store.find(&key), Some(i as u32));
            assert_eq!(store.key(i as u32), key.as_slice());
        }
        assert_eq!(store.len(), n);
    }
}
