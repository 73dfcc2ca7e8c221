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
    data: Vec<i16>,
    index: HashTable<u32>,
    /// A state of the model, for the shape of unpacked states.
    shape: ClusterState<Concrete>,
}

impl Store {
    pub fn new(shape: &ClusterState<Concrete>) -> Store {
        Store { stride: shape.pack().len(), data: Vec::new(), index: HashTable::new(), shape: shape.clone() }
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.stride.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The packed state `id`.
    pub fn key(&self, id: u32) -> &[i16] {
        let at = id as usize * self.stride;
        &self.data[at..at + self.stride]
    }

    /// The id of the packed state `key`, if stored.
    pub fn find(&self, key: &[i16]) -> Option<u32> {
        let h = FxBuildHasher.hash_one(key);
        self.index.find(h, |&id| self.key(id) == key).copied()
    }

    /// Stores `key` (not stored yet) and returns its id.
    pub fn insert(&mut self, key: &[i16]) -> u32 {
        assert_eq!(key.len(), self.stride, "model bug: states of one model pack to different lengths");
        let id = u32::try_from(self.len()).expect("more than 4 billion states");
        let h = FxBuildHasher.hash_one(key);
        self.data.extend_from_slice(key);
        let (stride, data) = (self.stride, &self.data);
        self.index.insert_unique(h, id, |&j| {
            let at = j as usize * stride;
            FxBuildHasher.hash_one(&data[at..at + stride])
        });
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
}
