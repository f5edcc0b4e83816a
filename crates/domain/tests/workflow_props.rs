//! Property tests of template matching: the chosen template matches the ticket, and no other
//! matching template is more specific; the choice does not depend on the list's order.

use domain::workflow::{Scope, choose};
use proptest::prelude::*;

const CATEGORIES: [&str; 3] = ["pengaduan", "saran", "informasi"];

fn scope_strategy() -> impl Strategy<Value = (Option<i64>, Option<usize>, bool)> {
    (
        proptest::option::of(1i64..4),
        proptest::option::of(0usize..3),
        any::<bool>(),
    )
}

/// 0 = agency and category … 3 = region default; `None`: does not match.
fn rank(s: &Scope, agency: Option<i64>, category: &str) -> Option<u8> {
    if s.agency_id.is_some_and(|a| Some(a) != agency) {
        return None;
    }
    if s.category.as_deref().is_some_and(|c| c != category) {
        return None;
    }
    match (s.agency_id.is_some(), s.category.is_some(), s.is_default) {
        (true, true, _) => Some(0),
        (true, false, _) => Some(1),
        (false, true, _) => Some(2),
        (false, false, true) => Some(3),
        (false, false, false) => None,
    }
}

proptest! {
    #[test]
    fn the_most_specific_matching_template_wins(
        raw in proptest::collection::vec(scope_strategy(), 0..12),
        agency in proptest::option::of(1i64..4),
        category in 0usize..3,
        seed in any::<u64>(),
    ) {
        // The admin pages keep (agency, category) unique and one region default.
        let mut scopes: Vec<Scope> = Vec::new();
        let mut has_default = false;
        for (i, (a, c, d)) in raw.into_iter().enumerate() {
            let is_default = d && a.is_none() && c.is_none() && !has_default;
            has_default |= is_default;
            let s = Scope {
                template_id: i as i64 + 1,
                agency_id: a,
                category: c.map(|c| CATEGORIES[c].to_string()),
                is_default,
            };
            let scoped = s.agency_id.is_some() || s.category.is_some();
            if scoped && scopes.iter().any(|o| o.agency_id == s.agency_id && o.category == s.category) {
                continue;
            }
            scopes.push(s);
        }
        let category = CATEGORIES[category];
        let chosen = choose(&scopes, agency, category);
        let best = scopes.iter().filter_map(|s| rank(s, agency, category)).min();
        match chosen {
            None => prop_assert!(best.is_none()),
            Some(id) => {
                let s = scopes.iter().find(|s| s.template_id == id).unwrap();
                prop_assert_eq!(rank(s, agency, category), best);
            }
        }
        // Order-independent.
        let mut shuffled = scopes.clone();
        let n = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % n);
        shuffled.reverse();
        prop_assert_eq!(choose(&shuffled, agency, category), chosen);
    }
}
