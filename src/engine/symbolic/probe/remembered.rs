//! Steps remembered between frames. A layer lemma's one-step check evaluates, per state of
//! the layer before, every step the frame's assertions allow from it (`successors_within`);
//! a state is in many layers (most of C2-fixed's are in a dozen), and a later frame's check
//! takes its steps from here instead of evaluating it again. Owns the remembered steps and
//! when they stand for a frame's; must not evaluate or ask anything (the parent module
//! evaluates, and debug builds evaluate remembered states again and compare).
//!
//! Why one frame's steps from a state are another frame's: each frame's step is built by the
//! same model code (guards, updates, the timing policy's pre-emption, canonical choice among
//! identical nodes: `Unrolling::choices`) over that frame's fields, in the symbolic domain,
//! whose folding of numerals has Z3's meaning (`domain::symbolic`). A field one frame holds
//! constant is a numeral there, and elsewhere a field the state pins to the same value, so in
//! a state both frames allow, their assertions for one selector value evaluate alike. What
//! differs is which labels a frame leaves out of its selector:
//! - a guard false by the frame's constants, or refuted in every state of the frame's layer
//!   lemma: false in this state too, so no step of it is lost;
//! - a step that changes nothing by the frame's constants, left out where such steps are no
//!   choices: it changes nothing in this state either, but a frame that has it as a choice
//!   has a step from the state to itself that the remembering frame did not evaluate; so
//!   remembered steps stand only for a frame none of whose choices the remembering frame
//!   left out this way;
//! - a label the probes' solver dropped on the whole unrolling rather than on the lemma's
//!   states: a state of the lemma may enable it (one no run of the unrolling reaches), and
//!   leaving it out also changes what an atomic or fast step pre-empts; such a frame neither
//!   reads nor writes what is remembered.
//!
//! A label the later frame leaves out takes its remembered steps out with it.
//!
//! Also remembered: per state, whether the guard of each label a probe asked about is false
//! there, as the frame that asked evaluated it (a guard is the model's over the frame's
//! fields, so the same argument makes its value every frame's); a probe of labels no witness
//! enables is then refuted on a layer lemma without evaluating a state again for a label
//! already evaluated there.

use rustc_hash::FxHashMap;

/// Up to how many values (the keys of the states remembered and of the states their steps
/// take to, each once, and the steps) are remembered; past it, states not remembered are
/// evaluated each time.
const VALUES: usize = 1 << 23;

/// One state's steps as one frame's assertions allowed them: that frame (the step's source),
/// and per step, the selector's value and the state it takes to (its id).
struct Steps {
    frame: usize,
    steps: Vec<(i64, u32)>,
}

/// The remembered steps, and per frame whether they may stand for its own.
#[derive(Default)]
pub(super) struct Remembered {
    /// Each packed state a remembered step leaves or reaches, and its id.
    ids: FxHashMap<Vec<i16>, u32>,
    /// Per id, the state's steps as last evaluated.
    states: Vec<Option<Steps>>,
    /// Per id, the labels whose guard was evaluated in the state, and those of them false
    /// there (a bit per label each, the second after the first).
    disabled: Vec<Option<Box<[u64]>>>,
    /// Per frame: the labels its step left out as changing nothing, ascending; `None` where it
    /// neither reads nor writes (its probes' solver dropped a label), or is not known yet.
    idle: Vec<Option<Vec<i64>>>,
    /// The frames whose probes' solver dropped a label.
    distrusted: Vec<usize>,
    values: usize,
}

/// A layer's states by their ids (those that have one), to their indices in the layer.
pub(super) type Index = FxHashMap<u32, u32>;

impl Remembered {
    /// Frame `k`'s probes dropped a label that the solver refuted on the whole unrolling.
    pub(super) fn distrust(&mut self, k: usize) {
        self.distrusted.push(k);
    }

    /// Frame `k`'s step leaves out `idle` as changing nothing. Returns whether remembered
    /// steps may stand for its own, and its own be remembered.
    pub(super) fn frame(&mut self, k: usize, idle: &[i64]) -> bool {
        if self.idle.len() <= k {
            self.idle.resize(k + 1, None);
        }
        let trusted = !self.distrusted.contains(&k);
        self.idle[k] = trusted.then(|| {
            let mut idle = idle.to_vec();
            idle.sort_unstable();
            idle
        });
        trusted
    }

    /// The states of a layer (packed, in order) that have an id, by id.
    pub(super) fn index<'a>(&self, keys: impl Iterator<Item = &'a [i16]>) -> Index {
        keys.zip(0..).filter_map(|(key, i)| Some((*self.ids.get(key)?, i))).collect()
    }

    /// The steps from the state packed as `key` at frame `k`, whose selector takes the values
    /// `choices` (ascending), into the layer `layer` indexes (`index`): into `out` (the index
    /// of the state each takes to, and the selector's value), and true, where they are
    /// remembered, stand for frame k's, and each ends in the layer.
    pub(super) fn recall(
        &self,
        key: &[i16],
        k: usize,
        choices: &[i64],
        layer: &Index,
        out: &mut Vec<(u32, i64)>,
    ) -> bool {
        if !matches!(self.idle.get(k), Some(Some(_))) {
            return false;
        }
        let Some(Some(s)) = self.ids.get(key).map(|&id| self.states[id as usize].as_ref()) else { return false };
        let Some(Some(idle)) = self.idle.get(s.frame) else { return false };
        if idle.iter().any(|l| choices.binary_search(l).is_ok()) {
            return false;
        }
        out.clear();
        for &(c, to) in &s.steps {
            if choices.binary_search(&c).is_err() {
                continue;
            }
            let Some(&i) = layer.get(&to) else { return false };
            out.push((i, c));
        }
        true
    }

    /// Remembers the steps from the state packed as `key`, as frame `k`'s assertions allowed
    /// them (selector value, packed state after), while there is room.
    pub(super) fn remember<'a>(&mut self, key: &[i16], k: usize, steps: impl Iterator<Item = (i64, &'a [i16])>) {
        if self.values >= VALUES {
            return;
        }
        let steps: Vec<(i64, u32)> = steps.map(|(c, to)| (c, self.id(to))).collect();
        self.values += steps.len();
        let id = self.id(key) as usize;
        self.states[id] = Some(Steps { frame: k, steps });
    }

    /// Which labels' guards were evaluated in the state packed as `key`, and which of them
    /// are false there (a bit per label each, the second after the first), where remembered.
    pub(super) fn disabled(&self, key: &[i16]) -> Option<&[u64]> {
        self.disabled[*self.ids.get(key)? as usize].as_deref()
    }

    /// Remembers, for the state packed as `key`, that the guards of the labels `asked` (a bit
    /// per label) were evaluated there, and that those of `off` are false, with what was
    /// remembered of other labels, while there is room.
    pub(super) fn remember_disabled(&mut self, key: &[i16], asked: &[u64], off: &[u64]) {
        if self.values >= VALUES {
            return;
        }
        let id = self.id(key) as usize;
        let words = asked.len();
        let mut both = match self.disabled[id].take() {
            Some(both) => both,
            None => {
                self.values += 2 * words;
                vec![0; 2 * words].into_boxed_slice()
            }
        };
        for w in 0..words {
            both[w] |= asked[w];
            both[words + w] = (both[words + w] & !asked[w]) | (off[w] & asked[w]);
        }
        self.disabled[id] = Some(both);
    }

    /// The id of the state packed as `key`, new where it has none.
    fn id(&mut self, key: &[i16]) -> u32 {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = self.states.len() as u32;
        self.ids.insert(key.to_vec(), id);
        self.states.push(None);
        self.disabled.push(None);
        self.values += key.len();
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(r: &Remembered, keys: &[i16]) -> Index {
        let keys: Vec<[i16; 1]> = keys.iter().map(|&k| [k]).collect();
        r.index(keys.iter().map(|k| &k[..]))
    }

    fn steps(steps: &[(i64, i16)]) -> Vec<(i64, [i16; 1])> {
        steps.iter().map(|&(c, to)| (c, [to])).collect()
    }

    #[test]
    fn remembered_steps_stand_only_where_no_idle_label_came_back() {
        let mut r = Remembered::default();
        assert!(r.frame(3, &[7, 2]));
        r.remember(&[1], 3, steps(&[(4, 5), (9, 6)]).iter().map(|(c, to)| (*c, &to[..])));
        assert!(r.frame(4, &[]));
        let mut out = Vec::new();
        // Frame 4 has label 2 as a choice, which frame 3 left out as idle.
        assert!(!r.recall(&[1], 4, &[2, 4, 9], &layer(&r, &[5, 6]), &mut out));
        // Without it: both steps, into the layer.
        assert!(r.recall(&[1], 4, &[4, 9], &layer(&r, &[6, 5]), &mut out));
        assert_eq!(out, vec![(1, 4), (0, 9)]);
        // A label the frame leaves out takes its step out.
        assert!(r.recall(&[1], 4, &[4], &layer(&r, &[5]), &mut out));
        assert_eq!(out, vec![(0, 4)]);
        // A step out of the layer: not recalled (evaluation decides).
        assert!(!r.recall(&[1], 4, &[4, 9], &layer(&r, &[5]), &mut out));
        // A state never remembered.
        assert!(!r.recall(&[2], 4, &[4, 9], &layer(&r, &[5, 6]), &mut out));
    }

    #[test]
    fn a_distrusted_frame_neither_reads_nor_writes() {
        let mut r = Remembered::default();
        assert!(r.frame(1, &[]));
        r.remember(&[1], 1, steps(&[(4, 5)]).iter().map(|(c, to)| (*c, &to[..])));
        r.distrust(2);
        assert!(!r.frame(2, &[]));
        let mut out = Vec::new();
        assert!(!r.recall(&[1], 2, &[4], &layer(&r, &[5]), &mut out));
        // Steps remembered at a frame later distrusted (a frame asked again) do not stand.
        r.distrust(1);
        assert!(!r.frame(1, &[]));
        assert!(r.frame(3, &[]));
        assert!(!r.recall(&[1], 3, &[4], &layer(&r, &[5]), &mut out));
    }
}
