//! Value domains the model is written over. `Concrete` (i64/bool, checked) drives the
//! explicit engine and trace replay; a Z3-backed `Symbolic` domain runs the same
//! controller code unchanged. Owns the primitive operations and the derived ones built from
//! them; must not know about Kubernetes.
//!
//! Rules the model follows so that both domains work: no Rust `if` on a domain boolean (use
//! `ite`), multiplication only by constants, division only by constants or by a value whose
//! bounded range is given (`div_bounded`, which a solver domain splits into cases).

pub mod concrete;
pub mod symbolic;

pub use concrete::Concrete;
pub use symbolic::Symbolic;

use std::fmt::Debug;

pub trait Domain: 'static {
    type Int: Clone + Debug;
    type Bool: Clone + Debug;

    fn int(&self, v: i64) -> Self::Int;
    fn bool(&self, v: bool) -> Self::Bool;
    fn add(&self, a: &Self::Int, b: &Self::Int) -> Self::Int;
    fn sub(&self, a: &Self::Int, b: &Self::Int) -> Self::Int;
    fn mul_const(&self, a: &Self::Int, k: i64) -> Self::Int;
    /// `floor(a / k)` for a constant `k > 0`.
    fn div_const(&self, a: &Self::Int, k: i64) -> Self::Int;
    fn le(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool;
    fn lt(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool;
    fn eq(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool;
    fn and(&self, a: &Self::Bool, b: &Self::Bool) -> Self::Bool;
    fn or(&self, a: &Self::Bool, b: &Self::Bool) -> Self::Bool;
    fn not(&self, a: &Self::Bool) -> Self::Bool;
    fn ite(&self, c: &Self::Bool, t: &Self::Int, e: &Self::Int) -> Self::Int;
    fn ite_bool(&self, c: &Self::Bool, t: &Self::Bool, e: &Self::Bool) -> Self::Bool;
    /// The value of `a` when it is known while the terms are built (always, concretely; for a
    /// solver's terms, when `a` is a numeral, as every term built from numerals alone is:
    /// the symbolic domain folds them, and asks no simplifier). Lets the model skip work whose
    /// outcome is fixed, which a solver's simplifier cannot see without the state's
    /// invariants (e.g. evicting a count of 0 takes min(0, bound), which is 0 only because
    /// bound >= 0).
    fn known(&self, a: &Self::Int) -> Option<i64>;

    /// The value of `a` when it is known concretely; `None` for a solver's terms (so that
    /// skipping work on it never changes the formulas a solver is given).
    fn known_bool(&self, _a: &Self::Bool) -> Option<bool> {
        None
    }

    /// `floor(a / b)` where `b` is known to lie in `lo..=hi`, `lo >= 1`. The default splits on
    /// every value of `b`, which keeps a solver's encoding linear; concrete domains divide.
    fn div_bounded(&self, a: &Self::Int, b: &Self::Int, lo: i64, hi: i64) -> Self::Int {
        assert!(lo >= 1 && lo <= hi, "div_bounded needs 1 <= lo <= hi, got {lo}..{hi}");
        let mut r = self.div_const(a, hi);
        for k in (lo..hi).rev() {
            if crate::limits::cut_short(k) {
                break;
            }
            r = self.ite(&self.eq(b, &self.int(k)), &self.div_const(a, k), &r);
        }
        r
    }

    /// `floor(a / b)` clamped to `0..=qmax`, for a divisor `b >= 1` of any size. Where the
    /// quotient is known to be small (a score out of 100) and the divisor's range is large,
    /// the default is a ladder of `qmax` linear comparisons `v * b <= a` with constant
    /// results (the quotient is the largest such v), far smaller for a solver than a split on
    /// every divisor; concrete domains divide.
    fn div_capped(&self, a: &Self::Int, b: &Self::Int, qmax: i64) -> Self::Int {
        assert!(qmax >= 0, "div_capped needs qmax >= 0, got {qmax}");
        let mut r = self.int(0);
        for v in 1..=qmax {
            if crate::limits::cut_short(v) {
                break;
            }
            r = self.ite(&self.le(&self.mul_const(b, v), a), &self.int(v), &r);
        }
        r
    }

    /// `a * table[key]`, where `key` is known to lie in `0..table.len()`. The default is a
    /// chain of `ite` on `key` over products by constants (linear for a solver); concrete
    /// domains index the table.
    fn mul_table(&self, a: &Self::Int, key: &Self::Int, table: &[i64]) -> Self::Int {
        assert!(!table.is_empty(), "mul_table needs a non-empty table");
        let mut r = self.mul_const(a, table[table.len() - 1]);
        for (k, &w) in table.iter().enumerate().rev().skip(1) {
            r = self.ite(&self.eq(key, &self.int(k as i64)), &self.mul_const(a, w), &r);
        }
        r
    }

    // Derived operations.
    fn ge(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool {
        self.le(b, a)
    }
    fn gt(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool {
        self.lt(b, a)
    }
    fn ne(&self, a: &Self::Int, b: &Self::Int) -> Self::Bool {
        self.not(&self.eq(a, b))
    }
    fn implies(&self, a: &Self::Bool, b: &Self::Bool) -> Self::Bool {
        self.or(&self.not(a), b)
    }
    fn max(&self, a: &Self::Int, b: &Self::Int) -> Self::Int {
        self.ite(&self.ge(a, b), a, b)
    }
    fn min(&self, a: &Self::Int, b: &Self::Int) -> Self::Int {
        self.ite(&self.le(a, b), a, b)
    }
    fn clamp(&self, v: &Self::Int, lo: &Self::Int, hi: &Self::Int) -> Self::Int {
        self.min(&self.max(v, lo), hi)
    }
    fn sum<'a>(&self, xs: impl IntoIterator<Item = &'a Self::Int>) -> Self::Int
    where
        Self::Int: 'a,
    {
        let mut acc = self.int(0);
        for x in xs {
            acc = self.add(&acc, x);
        }
        acc
    }
    fn all<'a>(&self, xs: impl IntoIterator<Item = &'a Self::Bool>) -> Self::Bool
    where
        Self::Bool: 'a,
    {
        let mut acc = self.bool(true);
        for x in xs {
            acc = self.and(&acc, x);
        }
        acc
    }
    fn any<'a>(&self, xs: impl IntoIterator<Item = &'a Self::Bool>) -> Self::Bool
    where
        Self::Bool: 'a,
    {
        let mut acc = self.bool(false);
        for x in xs {
            acc = self.or(&acc, x);
        }
        acc
    }
    /// The sum of `xs` as one term where the domain has sums of many terms (a solver is
    /// given one addition), else added up in order.
    fn sum_flat(&self, xs: &[&Self::Int]) -> Self::Int {
        self.sum(xs.iter().copied())
    }
    /// The sum of owned values (no intermediate collection).
    fn sum_of(&self, xs: impl IntoIterator<Item = Self::Int>) -> Self::Int {
        xs.into_iter().fold(self.int(0), |acc, x| self.add(&acc, &x))
    }
    /// The disjunction of owned values.
    fn any_of(&self, xs: impl IntoIterator<Item = Self::Bool>) -> Self::Bool {
        xs.into_iter().fold(self.bool(false), |acc, x| self.or(&acc, &x))
    }
    /// The conjunction of owned values.
    fn all_of(&self, xs: impl IntoIterator<Item = Self::Bool>) -> Self::Bool {
        xs.into_iter().fold(self.bool(true), |acc, x| self.and(&acc, &x))
    }
    /// `ceil(a / k)` for a constant `k > 0` and `a >= 0`.
    fn div_ceil_const(&self, a: &Self::Int, k: i64) -> Self::Int {
        self.div_const(&self.add(a, &self.int(k - 1)), k)
    }
    /// `1` when `c`, else `0`.
    fn count(&self, c: &Self::Bool) -> Self::Int {
        self.ite(c, &self.int(1), &self.int(0))
    }
    /// The maximum of `xs` over the entries whose `mask` holds, or `none` when no entry does.
    fn masked_max(&self, xs: &[Self::Int], mask: &[Self::Bool], none: i64) -> Self::Int {
        let mut acc = self.int(none);
        let mut seen = self.bool(false);
        for (x, m) in xs.iter().zip(mask) {
            let better = self.or(&self.not(&seen), &self.gt(x, &acc));
            acc = self.ite(&self.and(m, &better), x, &acc);
            seen = self.or(&seen, m);
        }
        acc
    }
    /// The minimum of `xs` over the entries whose `mask` holds, or `none` when no entry does.
    fn masked_min(&self, xs: &[Self::Int], mask: &[Self::Bool], none: i64) -> Self::Int {
        let mut acc = self.int(none);
        let mut seen = self.bool(false);
        for (x, m) in xs.iter().zip(mask) {
            let better = self.or(&self.not(&seen), &self.lt(x, &acc));
            acc = self.ite(&self.and(m, &better), x, &acc);
            seen = self.or(&seen, m);
        }
        acc
    }
}
