//! The symbolic domain: Z3 integer and boolean terms (z3 0.19, thread-local context). The same
//! controller code that runs on `Concrete` builds, over this domain, the terms of a
//! transition relation. With the explicit engine's states lifted to constants, every term
//! must simplify to the concrete result — a test checks that on every bundled case. Operations
//! on numerals (and `and`/`or`/`ite` with a constant argument) are folded as they are built,
//! with Z3's meaning (integer division by a positive constant rounds down; a sum that would
//! overflow i64 is left a term), so that a term carries no `(and true …)` or `(+ 0 0)`; each
//! numeral is made once per value and Z3 context and shared (`numeral`). One of
//! the two places allowed to import z3 (the other is the symbolic engine); Z3 terms are
//! `!Send`, so everything built here stays on its thread.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use z3::ast::{Bool, Int};
use z3::Context;

use super::Domain;

std::thread_local! {
    /// The numerals made on this thread, by value, in the context they belong to. Making a
    /// numeral is a sort, a rational and a lookup in Z3; a large cluster's terms fold hundreds
    /// of thousands of constants, so each is made once per context and shared.
    static NUMERALS: RefCell<(Option<Context>, FxHashMap<i64, Int>)> = RefCell::new((None, FxHashMap::default()));
}

/// The numeral `v` in the thread's current context.
fn numeral(v: i64) -> Int {
    NUMERALS.with(|n| {
        let mut n = n.borrow_mut();
        let ctx = Context::thread_local();
        if n.0.as_ref() != Some(&ctx) {
            n.1.clear();
            n.0 = Some(ctx);
        }
        n.1.entry(v).or_insert_with(|| Int::from_i64(v)).clone()
    })
}

/// Drops the numerals kept for the thread's context, and with them the hold they keep on it:
/// called when a context's work ends, so that its memory goes with it.
pub fn forget_numerals() {
    NUMERALS.with(|n| {
        let mut n = n.borrow_mut();
        n.1.clear();
        n.0 = None;
    })
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Symbolic;

impl Domain for Symbolic {
    type Int = Int;
    type Bool = Bool;

    fn int(&self, v: i64) -> Int {
        numeral(v)
    }
    fn bool(&self, v: bool) -> Bool {
        Bool::from_bool(v)
    }
    fn add(&self, a: &Int, b: &Int) -> Int {
        match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x.checked_add(y).map_or_else(|| Int::add(&[a, b]), numeral),
            (Some(0), _) => b.clone(),
            (_, Some(0)) => a.clone(),
            _ => Int::add(&[a, b]),
        }
    }
    fn sum_flat(&self, xs: &[&Int]) -> Int {
        // The numerals added up into one, last; the other terms in their order.
        let mut constant = Some(0i64);
        let mut terms: Vec<&Int> = Vec::with_capacity(xs.len() + 1);
        for x in xs {
            match x.as_i64() {
                Some(v) => constant = constant.and_then(|c| c.checked_add(v)),
                None => terms.push(x),
            }
        }
        let Some(c) = constant else { return Int::add(xs) };
        let c = numeral(c);
        match terms.len() {
            0 => c,
            1 if c.as_i64() == Some(0) => terms[0].clone(),
            _ => {
                if c.as_i64() != Some(0) {
                    terms.push(&c);
                }
                Int::add(&terms)
            }
        }
    }
    fn sub(&self, a: &Int, b: &Int) -> Int {
        match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x.checked_sub(y).map_or_else(|| Int::sub(&[a, b]), numeral),
            (_, Some(0)) => a.clone(),
            _ => Int::sub(&[a, b]),
        }
    }
    fn mul_const(&self, a: &Int, k: i64) -> Int {
        match (a.as_i64(), k) {
            (Some(x), _) => x.checked_mul(k).map_or_else(|| Int::mul(&[a, &numeral(k)]), numeral),
            (_, 0) => numeral(0),
            (_, 1) => a.clone(),
            _ => Int::mul(&[a, &numeral(k)]),
        }
    }
    fn div_const(&self, a: &Int, k: i64) -> Int {
        assert!(k > 0, "model bug: division by the non-positive constant {k}");
        // Z3's integer division rounds towards negative infinity for a positive divisor, as
        // `div_euclid` does.
        match a.as_i64() {
            Some(x) => numeral(x.div_euclid(k)),
            None if k == 1 => a.clone(),
            None => a.div(numeral(k)),
        }
    }
    fn le(&self, a: &Int, b: &Int) -> Bool {
        match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Bool::from_bool(x <= y),
            _ if a == b => Bool::from_bool(true),
            _ => a.le(b),
        }
    }
    fn lt(&self, a: &Int, b: &Int) -> Bool {
        match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Bool::from_bool(x < y),
            _ if a == b => Bool::from_bool(false),
            _ => a.lt(b),
        }
    }
    fn eq(&self, a: &Int, b: &Int) -> Bool {
        match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Bool::from_bool(x == y),
            _ if a == b => Bool::from_bool(true),
            _ => a.eq(b),
        }
    }
    fn and(&self, a: &Bool, b: &Bool) -> Bool {
        match (a.as_bool(), b.as_bool()) {
            (Some(false), _) | (_, Some(false)) => Bool::from_bool(false),
            (Some(true), _) => b.clone(),
            (_, Some(true)) => a.clone(),
            _ => Bool::and(&[a, b]),
        }
    }
    fn or(&self, a: &Bool, b: &Bool) -> Bool {
        match (a.as_bool(), b.as_bool()) {
            (Some(true), _) | (_, Some(true)) => Bool::from_bool(true),
            (Some(false), _) => b.clone(),
            (_, Some(false)) => a.clone(),
            _ => Bool::or(&[a, b]),
        }
    }
    fn not(&self, a: &Bool) -> Bool {
        match a.as_bool() {
            Some(v) => Bool::from_bool(!v),
            None => a.not(),
        }
    }
    fn ite(&self, c: &Bool, t: &Int, e: &Int) -> Int {
        match c.as_bool() {
            Some(true) => t.clone(),
            Some(false) => e.clone(),
            None if t == e => t.clone(),
            None => c.ite(t, e),
        }
    }
    fn known(&self, a: &Int) -> Option<i64> {
        a.as_i64()
    }
    fn ite_bool(&self, c: &Bool, t: &Bool, e: &Bool) -> Bool {
        match c.as_bool() {
            Some(true) => t.clone(),
            Some(false) => e.clone(),
            None if t == e => t.clone(),
            None => c.ite(t, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use z3::ast::{Ast, Bool, Int};

    use super::{Domain, Symbolic};

    /// Z3's own value of a ground term.
    fn z3_int(t: &Int) -> i64 {
        t.simplify().as_i64().expect("a ground term simplifies to a numeral")
    }

    /// Every operation folded on numerals gives the numeral Z3 gives the term it would have
    /// built (negative divisions round down), and an operation with a free argument folds only
    /// where the constant argument decides it.
    #[test]
    fn folded_operations_are_z3s() {
        let d = Symbolic;
        let values = [-7i64, -1, 0, 1, 3, 8];
        for &x in &values {
            let a = d.int(x);
            for &y in &values {
                let b = d.int(y);
                for (folded, raw) in [
                    (d.add(&a, &b), Int::add(&[&a, &b])),
                    (d.sub(&a, &b), Int::sub(&[&a, &b])),
                    (d.mul_const(&a, y), Int::mul(&[&a, &b])),
                    (d.sum_flat(&[&a, &b, &a]), Int::add(&[&a, &b, &a])),
                    (d.ite(&d.le(&a, &b), &a, &b), a.le(&b).ite(&a, &b)),
                ] {
                    assert_eq!(folded.as_i64(), Some(z3_int(&raw)), "{raw}");
                }
                if y > 0 {
                    assert_eq!(d.div_const(&a, y).as_i64(), Some(z3_int(&a.div(&b))), "{x} div {y}");
                }
                for (folded, raw) in [(d.le(&a, &b), a.le(&b)), (d.lt(&a, &b), a.lt(&b)), (d.eq(&a, &b), a.eq(&b))] {
                    assert_eq!(folded.as_bool(), raw.simplify().as_bool(), "{raw}");
                }
            }
        }
        let (t, f) = (d.bool(true), d.bool(false));
        let p = Bool::new_const("p");
        let x = Int::new_const("x");
        assert_eq!(d.and(&t, &p), p);
        assert_eq!(d.and(&p, &f).as_bool(), Some(false));
        assert_eq!(d.or(&f, &p), p);
        assert_eq!(d.or(&p, &t).as_bool(), Some(true));
        assert_eq!(d.not(&t).as_bool(), Some(false));
        assert_eq!(d.ite(&t, &x, &d.int(1)), x);
        assert_eq!(d.ite(&p, &x, &x), x);
        assert_eq!(d.ite_bool(&f, &p, &t).as_bool(), Some(true));
        assert_eq!(d.add(&x, &d.int(0)), x);
        assert_eq!(d.mul_const(&x, 0).as_i64(), Some(0));
        assert_eq!(d.div_const(&x, 1), x);
        assert_eq!(d.sum_flat(&[&d.int(2), &x, &d.int(-2)]), x);
        assert_eq!(d.eq(&x, &x).as_bool(), Some(true));
        assert_eq!(d.lt(&x, &x).as_bool(), Some(false));
        // Not decided by a constant: a term.
        assert_eq!(d.and(&p, &d.le(&x, &d.int(2))).as_bool(), None);
        assert_eq!(d.add(&x, &d.int(1)).as_i64(), None);
        // An overflow is left to the solver, as a term.
        let max = d.int(i64::MAX);
        assert_eq!(d.add(&max, &d.int(1)).as_i64(), None);
        assert_eq!(d.mul_const(&max, 2).as_i64(), None);
        assert_eq!(d.sum_flat(&[&max, &x, &max]).as_i64(), None);
        // `known` is the numeral a term was built as.
        assert_eq!(d.known(&d.sum_flat(&[&d.int(2), &d.int(3)])), Some(5));
        assert_eq!(d.known(&x), None);
    }
}
