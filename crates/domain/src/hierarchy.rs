//! Who is below whom in an agency: a disposition goes from an official to people below them
//! (seed `003_…`). The agency's positions (jabatan) form a tree; where someone holds no position
//! their role decides (head of agency, liaison officer, staff, operator, from the top).

use crate::Role;
use std::collections::HashMap;

/// An official as the rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Official {
    pub role: Role,
    pub position_id: Option<i64>,
}

/// The positions of an agency: each one's parent.
#[derive(Debug, Clone, Default)]
pub struct PositionTree {
    parent: HashMap<i64, Option<i64>>,
}

impl PositionTree {
    pub fn new(positions: impl IntoIterator<Item = (i64, Option<i64>)>) -> Self {
        PositionTree {
            parent: positions.into_iter().collect(),
        }
    }

    pub fn contains(&self, position: i64) -> bool {
        self.parent.contains_key(&position)
    }

    /// Whether `lower` sits strictly below `upper` (a broken tree with a cycle ends the walk).
    pub fn is_below(&self, lower: i64, upper: i64) -> bool {
        let mut at = lower;
        for _ in 0..self.parent.len() {
            match self.parent.get(&at).copied().flatten() {
                Some(parent) if parent == upper => return true,
                Some(parent) => at = parent,
                None => return false,
            }
        }
        false
    }
}

/// Rank of a role inside an agency, 0 at the top.
fn rank(role: Role) -> u8 {
    match role {
        Role::LiaisonOfficer => 1,
        Role::Staff => 2,
        Role::Operator => 3,
        _ => 0,
    }
}

/// May `sender` dispose to `recipient`? Nobody disposes to a head of agency; a head disposes to
/// anyone of the agency; between two holders of positions the tree decides; a holder of a
/// position may reach people without one of the same role or lower; without positions on either
/// side only a lower role is below.
pub fn may_dispose_to(sender: Official, recipient: Official, positions: &PositionTree) -> bool {
    if recipient.role == Role::HeadOfAgency {
        return false;
    }
    if sender.role == Role::HeadOfAgency {
        return true;
    }
    match (sender.position_id, recipient.position_id) {
        (Some(s), Some(r)) => positions.is_below(r, s),
        (Some(_), None) => rank(recipient.role) >= rank(sender.role),
        (None, Some(_)) => false,
        (None, None) => rank(recipient.role) > rank(sender.role),
    }
}

/// May `sender` dispose to everyone holding `position`? A head of agency to any position below
/// the top; anyone else to positions below their own.
pub fn may_dispose_to_position(sender: Official, position: i64, positions: &PositionTree) -> bool {
    if !positions.contains(position) {
        return false;
    }
    match sender.position_id {
        Some(own) => positions.is_below(position, own),
        None => sender.role == Role::HeadOfAgency && positions.parent.get(&position) != Some(&None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official(role: Role, position_id: Option<i64>) -> Official {
        Official { role, position_id }
    }

    #[test]
    fn the_tree_and_the_roles_decide_who_is_below() {
        // 1 head → 2 kabid → 3 kasi; 4 sekretaris under the head.
        let tree = PositionTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))]);
        assert!(tree.is_below(3, 1) && tree.is_below(3, 2) && !tree.is_below(2, 3));
        assert!(!tree.is_below(4, 2) && !tree.is_below(1, 1));

        let head = official(Role::HeadOfAgency, Some(1));
        let kabid = official(Role::Staff, Some(2));
        let kasi = official(Role::Staff, Some(3));
        let sekretaris = official(Role::Staff, Some(4));
        let liaison = official(Role::LiaisonOfficer, None);
        let staff = official(Role::Staff, None);
        let operator = official(Role::Operator, None);

        for anyone in [kabid, kasi, sekretaris, liaison, staff, operator] {
            assert!(may_dispose_to(head, anyone, &tree));
            assert!(!may_dispose_to(anyone, head, &tree), "never up to the head");
        }
        assert!(may_dispose_to(kabid, kasi, &tree));
        assert!(!may_dispose_to(kasi, kabid, &tree));
        assert!(
            !may_dispose_to(kabid, sekretaris, &tree),
            "a sibling branch"
        );
        assert!(may_dispose_to(kabid, staff, &tree) && may_dispose_to(kabid, operator, &tree));
        assert!(!may_dispose_to(kabid, liaison, &tree), "a higher role");
        assert!(
            !may_dispose_to(liaison, kasi, &tree),
            "no position over a holder"
        );
        assert!(may_dispose_to(liaison, staff, &tree) && may_dispose_to(liaison, operator, &tree));
        assert!(!may_dispose_to(staff, staff, &tree) && !may_dispose_to(staff, liaison, &tree));
        assert!(!may_dispose_to(operator, staff, &tree));

        assert!(may_dispose_to_position(head, 2, &tree) && may_dispose_to_position(head, 3, &tree));
        assert!(!may_dispose_to_position(head, 1, &tree), "the head's own");
        let head_without = official(Role::HeadOfAgency, None);
        assert!(may_dispose_to_position(head_without, 4, &tree));
        assert!(!may_dispose_to_position(head_without, 1, &tree));
        assert!(may_dispose_to_position(kabid, 3, &tree));
        assert!(
            !may_dispose_to_position(kabid, 4, &tree) && !may_dispose_to_position(kabid, 2, &tree)
        );
        assert!(!may_dispose_to_position(liaison, 3, &tree));
        assert!(
            !may_dispose_to_position(head, 99, &tree),
            "another agency's"
        );
    }

    #[test]
    fn a_cycle_in_a_broken_tree_ends() {
        let tree = PositionTree::new([(1, Some(2)), (2, Some(1))]);
        assert!(tree.is_below(1, 2));
        assert!(!tree.is_below(1, 3));
    }
}
