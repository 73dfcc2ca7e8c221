//! The concrete domain: i64 and bool with checked arithmetic. An overflow or a division
//! outside its documented domain is a bug in the model (its bounds are wrong), so it panics
//! with the operation in the message rather than wrapping silently.

use super::Domain;

#[derive(Clone, Copy, Debug, Default)]
pub struct Concrete;

impl Domain for Concrete {
    type Int = i64;
    type Bool = bool;

    #[inline]
    fn int(&self, v: i64) -> i64 {
        v
    }
    #[inline]
    fn bool(&self, v: bool) -> bool {
        v
    }
    #[inline]
    fn add(&self, a: &i64, b: &i64) -> i64 {
        a.checked_add(*b).unwrap_or_else(|| panic!("model bug: {a} + {b} overflows"))
    }
    #[inline]
    fn sub(&self, a: &i64, b: &i64) -> i64 {
        a.checked_sub(*b).unwrap_or_else(|| panic!("model bug: {a} - {b} overflows"))
    }
    #[inline]
    fn mul_const(&self, a: &i64, k: i64) -> i64 {
        a.checked_mul(k).unwrap_or_else(|| panic!("model bug: {a} * {k} overflows"))
    }
    #[inline]
    fn div_const(&self, a: &i64, k: i64) -> i64 {
        assert!(k > 0, "model bug: division by the non-positive constant {k}");
        a.div_euclid(k)
    }
    #[inline]
    fn le(&self, a: &i64, b: &i64) -> bool {
        a <= b
    }
    #[inline]
    fn lt(&self, a: &i64, b: &i64) -> bool {
        a < b
    }
    #[inline]
    fn eq(&self, a: &i64, b: &i64) -> bool {
        a == b
    }
    #[inline]
    fn and(&self, a: &bool, b: &bool) -> bool {
        *a && *b
    }
    #[inline]
    fn or(&self, a: &bool, b: &bool) -> bool {
        *a || *b
    }
    #[inline]
    fn not(&self, a: &bool) -> bool {
        !*a
    }
    #[inline]
    fn ite(&self, c: &bool, t: &i64, e: &i64) -> i64 {
        if *c {
            *t
        } else {
            *e
        }
    }
    #[inline]
    fn known(&self, a: &i64) -> Option<i64> {
        Some(*a)
    }
    #[inline]
    fn known_bool(&self, a: &bool) -> Option<bool> {
        Some(*a)
    }
    #[inline]
    fn ite_bool(&self, c: &bool, t: &bool, e: &bool) -> bool {
        if *c {
            *t
        } else {
            *e
        }
    }
    #[inline]
    fn mul_table(&self, a: &i64, key: &i64, table: &[i64]) -> i64 {
        match usize::try_from(*key).ok().and_then(|k| table.get(k)) {
            Some(w) => self.mul_const(a, *w),
            None => panic!("model bug: table key {key} outside 0..{}", table.len()),
        }
    }
    #[inline]
    fn div_capped(&self, a: &i64, b: &i64, qmax: i64) -> i64 {
        assert!(*b >= 1, "model bug: divisor {b} below 1");
        a.div_euclid(*b).clamp(0, qmax)
    }
    #[inline]
    fn div_bounded(&self, a: &i64, b: &i64, lo: i64, hi: i64) -> i64 {
        assert!(lo >= 1 && (lo..=hi).contains(b), "model bug: divisor {b} outside its declared range {lo}..{hi}");
        a.div_euclid(*b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default (solver-style) case split, as the Z3 domain uses it, agrees with plain
    /// division.
    #[test]
    fn split_division_agrees_with_division() {
        use z3::ast::{Ast, Int};
        let z = crate::domain::Symbolic;
        for a in 0..60 {
            for b in 1..=7 {
                let split = z.div_bounded(&Int::from_i64(a), &Int::from_i64(b), 1, 7).simplify().as_i64();
                assert_eq!(split, Some(Concrete.div_bounded(&a, &b, 1, 7)), "{a}/{b}");
            }
        }
    }

    /// The solver-style ladder of `div_capped` agrees with clamped division, also where the
    /// quotient is negative or above the cap.
    #[test]
    fn capped_division_agrees_with_division() {
        use z3::ast::{Ast, Int};
        let z = crate::domain::Symbolic;
        for a in -20..300 {
            for b in [1, 2, 3, 7, 50, 299, 1000] {
                let ladder = z.div_capped(&Int::from_i64(a), &Int::from_i64(b), 100).simplify().as_i64();
                assert_eq!(ladder, Some(Concrete.div_capped(&a, &b, 100)), "{a}/{b}");
            }
        }
    }

    #[test]
    fn derived_operations() {
        let d = Concrete;
        assert_eq!(d.div_ceil_const(&7, 2), 4);
        assert_eq!(d.div_ceil_const(&8, 2), 4);
        assert_eq!(d.masked_max(&[3, 9, 5], &[true, false, true], -1), 5);
        assert_eq!(d.masked_min(&[3, 9, 5], &[false, false, false], -1), -1);
        assert_eq!(d.clamp(&10, &1, &6), 6);
    }

    #[test]
    #[should_panic(expected = "overflows")]
    fn overflow_is_a_loud_bug() {
        Concrete.add(&i64::MAX, &1);
    }
}
