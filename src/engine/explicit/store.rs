//! The visited set: every explored state packed into one flat arena of `i16` (all states of
//! a model pack to the same length), indexed by a hash table of state ids. A state costs its
//! packed length plus four bytes, not a `ClusterState` of many vectors; states are unpacked
//! on demand. It must not know what the values mean.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::domain::Concrete;
use crate::model::ClusterState;

pub struct Store {
    stride: usize,
    /// The packed states, `1 << CHUNK_BITS` to a chunk: growing the store copies at most the
    /// last chunk, never the states of the full ones.
    chunks: Vec<Vec<i16>>,
    len: usize,
    /// Per state: the hash of its key, so that growing the index does not hash keys again.
    hashes: Vec<u64>,
    /// Per stored state: its id in the low half and the high half of its key's hash, so that a
    /// lookup compares a key only when 32 more bits of hash agree, without reading `hashes`
    /// (a cache miss per probe on a large store).
    index: HashTable<u64>,
    /// A state of the model, for the shape of unpacked states.
    shape: ClusterState<Concrete>,
}

const CHUNK_BITS: u32 = 16;

impl Store {
    pub fn new(shape: &ClusterState<Concrete>) -> Store {
        Store {
            stride: shape.pack().len(),
            chunks: Vec::new(),
            len: 0,
            hashes: Vec::new(),
            index: HashTable::new(),
            shape: shape.clone(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed state `id`.
    pub fn key(&self, id: u32) -> &[i16] {
        let at = (id & ((1 << CHUNK_BITS) - 1)) as usize * self.stride;
        &self.chunks[(id >> CHUNK_BITS) as usize][at..at + self.stride]
    }

    /// The id of the packed state `key`, if stored.
    pub fn find(&self, key: &[i16]) -> Option<u32> {
        let h = FxBuildHasher.hash_one(key);
        let tag = h >> 32;
        self.index.find(h, |&e| e >> 32 == tag && self.key(e as u32) == key).map(|&e| e as u32)
    }

    /// Stores `key` (not stored yet) and returns its id.
    pub fn insert(&mut self, key: &[i16]) -> u32 {
        assert_eq!(key.len(), self.stride, "model bug: states of one model pack to different lengths");
        let id = u32::try_from(self.len).expect("more than 4 billion states");
        let h = FxBuildHasher.hash_one(key);
        if self.len.trailing_zeros() >= CHUNK_BITS {
            // A full chunk's room up front: filling it never copies it.
            self.chunks.push(Vec::with_capacity(self.stride << CHUNK_BITS));
        }
        self.chunks.last_mut().expect("a chunk was pushed above").extend_from_slice(key);
        self.len += 1;
        self.hashes.push(h);
        let hashes = &self.hashes;
        self.index.insert_unique(h, (h >> 32) << 32 | id as u64, |&e| hashes[e as u32 as usize]);
        id
    }

    /// State `id`, unpacked.
    pub fn get(&self, id: u32) -> ClusterState<Concrete> {
        let mut st = self.shape.clone();
        self.load(id, &mut st);
        st
    }

    /// Unpacks state `id` into `st` (a state of the same model), reusing its allocations.
    pub fn load(&self, id: u32, st: &mut ClusterState<Concrete>) {
        st.unpack_from(self.key(id));
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
