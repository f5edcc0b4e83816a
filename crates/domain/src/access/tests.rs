use super::*;
use Capability::*;

const A: AgencyId = AgencyId(10); // the delegate's own agency
const A_CHILD: AgencyId = AgencyId(11); // a unit under A
const B: AgencyId = AgencyId(20); // the delegator's agency
const C: AgencyId = AgencyId(30); // an agency neither works in

/// What each role may do in its own inbox, written out independently of `Capabilities::of_role`
/// (R read, H handle, D dispose, A approve, S sign, I reporter identity, T triage, M moderate).
fn expected(role: Role) -> &'static str {
    match role {
        Role::Admin => "RHAITM",
        Role::Secretariat => "RHITM",
        Role::HeadOfRegion => "RSI",
        Role::HeadOfAgency => "RHDASI",
        Role::LiaisonOfficer => "RHI",
        Role::Staff => "RHI",
        Role::Operator => "RH",
    }
}

fn letter(cap: Capability) -> char {
    match cap {
        Read => 'R',
        Handle => 'H',
        Dispose => 'D',
        Approve => 'A',
        Sign => 'S',
        SeeReporterIdentity => 'I',
        Triage => 'T',
        Moderate => 'M',
    }
}

fn region_wide(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Secretariat | Role::HeadOfRegion)
}

/// Whether an official of `role` whose home is `home` (subtree `home` and, for A, `A_CHILD`)
/// has `cap` on `target` by the table alone.
fn table_grants(role: Role, home: AgencyId, cap: Capability, target: Option<AgencyId>) -> bool {
    let covers = region_wide(role)
        || match target {
            Some(t) => t == home || (home == A && t == A_CHILD),
            None => false,
        };
    covers && expected(role).contains(letter(cap))
}

fn subtree(home: AgencyId) -> Vec<AgencyId> {
    if home == A {
        vec![A, A_CHILD]
    } else {
        vec![home]
    }
}

fn seat(role: Role) -> Seat {
    Seat {
        role,
        agency: Some(B),
        position: Some(PositionId(7)),
        subtree: subtree(B),
        acting: Acting {
            delegation: DelegationId(1),
            delegator: Some(UserId(2)),
            label: "Plh. Kepala".into(),
        },
    }
}

#[test]
fn own_capabilities_follow_the_table() {
    for role in Role::ALL {
        let caps = Capabilities::of_role(*role);
        for cap in Capability::ALL {
            assert_eq!(
                caps.has(*cap),
                expected(*role).contains(letter(*cap)),
                "{role:?} {cap:?}"
            );
        }
    }
}

/// Every role as delegator × every role as delegate × each capability × each place.
#[test]
fn delegation_matrix() {
    for delegator in Role::ALL {
        for delegate in Role::ALL {
            let own = Inbox::of_role(*delegate, Some(A), Some(PositionId(1)), subtree(A));
            let access = Access::new(UserId(1), own, vec![seat(*delegator)]);
            for cap in Capability::ALL {
                for target in [Some(A), Some(A_CHILD), Some(B), Some(C), None] {
                    let by_own = table_grants(*delegate, A, *cap, target);
                    // An administrator is not a position: delegating it grants nothing.
                    let by_seat =
                        *delegator != Role::Admin && table_grants(*delegator, B, *cap, target);
                    let case = format!("{delegator:?} → {delegate:?}, {cap:?} on {target:?}");
                    assert_eq!(access.can(*cap, target), by_own || by_seat, "{case}");
                    // The delegator's authority is used (and recorded) only where the
                    // delegate's own does not reach.
                    assert_eq!(
                        access.acting_for(*cap, target).is_some(),
                        !by_own && by_seat,
                        "{case}"
                    );
                }
            }
        }
    }
}

#[test]
fn read_only_head_of_region_delegates_no_handling() {
    let own = Inbox::of_role(Role::Staff, Some(A), None, subtree(A));
    let access = Access::new(UserId(1), own, vec![seat(Role::HeadOfRegion)]);
    assert!(access.sees(Some(C)));
    assert!(!access.can(Handle, Some(C)));
    assert!(access.can(Handle, Some(A)));
    assert_eq!(access.agencies_with(Handle), Some(vec![A, A_CHILD]));
    assert_eq!(access.visible_agencies(), None);
}

#[test]
fn operator_delegation_hides_identity_in_its_agency() {
    let own = Inbox::of_role(Role::Staff, Some(A), None, subtree(A));
    let access = Access::new(UserId(1), own, vec![seat(Role::Operator)]);
    assert!(access.sees(Some(B)));
    assert!(access.can(Handle, Some(B)));
    assert!(!access.can(SeeReporterIdentity, Some(B)));
    assert!(access.can(SeeReporterIdentity, Some(A)));
}

#[test]
fn steps_and_heads() {
    let own = Inbox::of_role(Role::Staff, Some(A), Some(PositionId(1)), subtree(A));
    let access = Access::new(UserId(1), own, vec![seat(Role::HeadOfAgency)]);
    // The head's approval step on B's tickets, through the delegation.
    let inbox = access
        .step_authority(Some(B), Role::HeadOfAgency, None)
        .expect("acting head");
    assert!(inbox.acting.is_some());
    assert!(
        access
            .step_authority(Some(A), Role::HeadOfAgency, None)
            .is_none()
    );
    assert!(
        access
            .step_authority(Some(B), Role::HeadOfAgency, Some(PositionId(7)))
            .is_some()
    );
    assert!(
        access
            .step_authority(Some(B), Role::HeadOfAgency, Some(PositionId(8)))
            .is_none()
    );
    assert!(
        access
            .step_authority(Some(A), Role::Staff, Some(PositionId(1)))
            .is_some()
    );
    assert!(access.head_of(B).is_some());
    assert!(access.head_of(A).is_none());
    let principals: Vec<_> = access.principals().map(|(u, a)| (u, a.is_some())).collect();
    assert_eq!(principals, vec![(UserId(1), false), (UserId(2), true)]);
    let admin = Access::system(UserId(9), Role::Admin);
    assert!(
        admin
            .step_authority(Some(C), Role::HeadOfAgency, None)
            .is_some()
    );
}

#[test]
fn who_records_a_delegation() {
    let base = DelegationRequest {
        recorder: UserId(1),
        recorder_role: Role::HeadOfAgency,
        recorder_agency: Some(B),
        delegator: UserId(1),
        delegator_role: Role::HeadOfAgency,
        position_agency: Some(B),
        delegate: UserId(2),
    };
    let cases: &[(&str, DelegationRequest, Result<(), DelegationRefusal>)] = &[
        ("the official for their own position", base, Ok(())),
        (
            "the operator of the position's agency",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Operator,
                ..base
            },
            Ok(()),
        ),
        (
            "an operator of another agency",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Operator,
                recorder_agency: Some(C),
                ..base
            },
            Err(DelegationRefusal::NotRecorder),
        ),
        (
            "the administrator",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Admin,
                recorder_agency: None,
                ..base
            },
            Ok(()),
        ),
        (
            "a colleague of the same agency",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Staff,
                ..base
            },
            Err(DelegationRefusal::NotRecorder),
        ),
        (
            "the secretariat",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Secretariat,
                recorder_agency: None,
                ..base
            },
            Err(DelegationRefusal::NotRecorder),
        ),
        (
            "an operator to themselves",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Operator,
                delegate: UserId(3),
                ..base
            },
            Err(DelegationRefusal::ToRecorder),
        ),
        (
            "an administrator to themselves",
            DelegationRequest {
                recorder: UserId(3),
                recorder_role: Role::Admin,
                delegate: UserId(3),
                ..base
            },
            Err(DelegationRefusal::ToRecorder),
        ),
        (
            "to oneself",
            DelegationRequest {
                delegate: UserId(1),
                ..base
            },
            Err(DelegationRefusal::ToOneself),
        ),
        (
            "an administrator's role",
            DelegationRequest {
                recorder_role: Role::Admin,
                delegator_role: Role::Admin,
                ..base
            },
            Err(DelegationRefusal::NotDelegable),
        ),
    ];
    for (name, request, want) in cases {
        assert_eq!(may_record_delegation(request), *want, "{name}");
    }
}
