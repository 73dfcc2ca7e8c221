//! The symbolic domain: Z3 integer and boolean terms (z3 0.19, thread-local context). The same
//! controller code that runs on `Concrete` builds, over this domain, the terms of a
//! transition relation. With the explicit engine's states lifted to constants, every term
//! must simplify to the concrete result — a test checks that on every bundled case. One of
//! the two places allowed to import z3 (the other is the symbolic engine); Z3 terms are
//! `!Send`, so everything built here stays on its thread.

use z3::ast::{Ast, Bool, Int};

use super::Domain;

#[derive(Clone, Copy, Debug, Default)]
pub struct Symbolic;

impl Domain for Symbolic {
    type Int = Int;
    type Bool = Bool;

    fn int(&self, v: i64) -> Int {
        Int::from_i64(v)
    }
    fn bool(&self, v: bool) -> Bool {
        Bool::from_bool(v)
    }
    fn add(&self, a: &Int, b: &Int) -> Int {
        Int::add(&[a, b])
    }
    fn sum_flat(&self, xs: &[&Int]) -> Int {
        Int::add(xs)
    }
    fn sub(&self, a: &Int, b: &Int) -> Int {
        Int::sub(&[a, b])
    }
    fn mul_const(&self, a: &Int, k: i64) -> Int {
        Int::mul(&[a, &Int::from_i64(k)])
    }
    fn div_const(&self, a: &Int, k: i64) -> Int {
        assert!(k > 0, "model bug: division by the non-positive constant {k}");
        // Z3's integer division rounds towards negative infinity for a positive divisor.
        a.div(Int::from_i64(k))
    }
    fn le(&self, a: &Int, b: &Int) -> Bool {
        a.le(b)
    }
    fn lt(&self, a: &Int, b: &Int) -> Bool {
        a.lt(b)
    }
    fn eq(&self, a: &Int, b: &Int) -> Bool {
        a.eq(b)
    }
    fn and(&self, a: &Bool, b: &Bool) -> Bool {
        Bool::and(&[a, b])
    }
    fn or(&self, a: &Bool, b: &Bool) -> Bool {
        Bool::or(&[a, b])
    }
    fn not(&self, a: &Bool) -> Bool {
        a.not()
    }
    fn ite(&self, c: &Bool, t: &Int, e: &Int) -> Int {
        c.ite(t, e)
    }
    fn known(&self, a: &Int) -> Option<i64> {
        a.as_i64().or_else(|| a.simplify().as_i64())
    }
    fn ite_bool(&self, c: &Bool, t: &Bool, e: &Bool) -> Bool {
        c.ite(t, e)
    }
}
