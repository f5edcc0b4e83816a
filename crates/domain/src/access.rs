//! One access model for every request: who the user is, the inboxes they act for (their own,
//! and each one they stand in for as Plt./Plh.), and what they may do in each.
//!
//! A capability is granted for an agency only by one inbox that both covers the agency and holds
//! the capability: an acting official has exactly the delegator's capabilities in the
//! delegator's inbox, their own role adds nothing there, and the delegation adds nothing to
//! their own inbox. The same model serves letters (an inbox is an agency's or a position's).

use crate::Role;
use crate::ids::{AgencyId, DelegationId, PositionId, UserId};

/// What a user may do in an inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See the tickets (and letters) of the inbox.
    Read,
    /// Act on them: notes, assignment, answers, decline, close, reopen.
    Handle,
    /// Send dispositions as the head of the agency.
    Dispose,
    /// Approve drafted answers (and outgoing letters).
    Approve,
    /// Sign outgoing letters.
    Sign,
    /// Read the reporter's name, phone and email.
    SeeReporterIdentity,
    /// Work the region's secretariat desk: triage, SMS inbox, LAPOR! SP4N records.
    Triage,
    /// Moderate published cases.
    Moderate,
}

impl Capability {
    pub const ALL: &'static [Capability] = &[
        Capability::Read,
        Capability::Handle,
        Capability::Dispose,
        Capability::Approve,
        Capability::Sign,
        Capability::SeeReporterIdentity,
        Capability::Triage,
        Capability::Moderate,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities(u16);

impl Capabilities {
    pub fn of(caps: &[Capability]) -> Self {
        Capabilities(caps.iter().fold(0, |bits, c| bits | c.bit()))
    }

    pub fn has(self, cap: Capability) -> bool {
        self.0 & cap.bit() != 0
    }

    /// What a role may do in its own inbox.
    pub fn of_role(role: Role) -> Self {
        use Capability::*;
        Capabilities::of(match role {
            Role::Admin => &[Read, Handle, Approve, SeeReporterIdentity, Triage, Moderate],
            Role::Secretariat => &[Read, Handle, SeeReporterIdentity, Triage, Moderate],
            Role::HeadOfRegion => &[Read, Sign, SeeReporterIdentity],
            Role::HeadOfAgency => &[Read, Handle, Dispose, Approve, Sign, SeeReporterIdentity],
            Role::LiaisonOfficer | Role::Staff => &[Read, Handle, SeeReporterIdentity],
            Role::Operator => &[Read, Handle],
        })
    }
}

/// The agencies an inbox covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every ticket of the region, with or without an agency.
    Region,
    /// Tickets of these agencies (an agency and its subtree).
    Agencies(Vec<AgencyId>),
}

impl Scope {
    pub fn covers(&self, agency: Option<AgencyId>) -> bool {
        match (self, agency) {
            (Scope::Region, _) => true,
            (Scope::Agencies(ids), Some(id)) => ids.contains(&id),
            (Scope::Agencies(_), None) => false,
        }
    }
}

/// Whose authority an inbox is exercised with, when it is not the user's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub delegation: DelegationId,
    /// The official who holds (or held) the position; `None` once nobody does.
    pub delegator: Option<UserId>,
    /// `Plh. Kepala Dinas Perhubungan`.
    pub label: String,
}

/// A place a user acts in, with the role and capabilities they have there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub scope: Scope,
    /// The agency whose inbox it is (`None` for region-wide roles without one).
    pub agency: Option<AgencyId>,
    pub role: Role,
    pub position: Option<PositionId>,
    pub capabilities: Capabilities,
    /// `None`: the user's own inbox.
    pub acting: Option<Acting>,
}

impl Inbox {
    /// The inbox of an official of `role` in `agency`, whose subtree is `subtree`.
    pub fn of_role(
        role: Role,
        agency: Option<AgencyId>,
        position: Option<PositionId>,
        subtree: Vec<AgencyId>,
    ) -> Self {
        Inbox {
            scope: if role.sees_whole_region() {
                Scope::Region
            } else {
                Scope::Agencies(subtree)
            },
            agency,
            role,
            position,
            capabilities: Capabilities::of_role(role),
            acting: None,
        }
    }

    pub fn grants(&self, cap: Capability, agency: Option<AgencyId>) -> bool {
        self.capabilities.has(cap) && self.scope.covers(agency)
    }
}

/// A running delegation as the access model needs it: the position's role, agency and subtree
/// as recorded, so it holds while the position is vacant.
#[derive(Debug, Clone)]
pub struct Seat {
    pub role: Role,
    pub agency: Option<AgencyId>,
    pub position: Option<PositionId>,
    pub subtree: Vec<AgencyId>,
    pub acting: Acting,
}

/// The request's access: computed once (web extractor, CLI) and passed down.
#[derive(Debug, Clone)]
pub struct Access {
    user: UserId,
    role: Role,
    /// The user's own inbox first, then each one they stand in for.
    inboxes: Vec<Inbox>,
}

impl Access {
    /// `own` is the user's own inbox; `seats` the delegations running now in their favour.
    pub fn new(user: UserId, own: Inbox, seats: Vec<Seat>) -> Self {
        let role = own.role;
        let mut inboxes = vec![own];
        for seat in seats {
            // An administrator is not a position: it is never delegated.
            if seat.role == Role::Admin {
                continue;
            }
            let mut inbox = Inbox::of_role(seat.role, seat.agency, seat.position, seat.subtree);
            inbox.acting = Some(seat.acting);
            inboxes.push(inbox);
        }
        Access {
            user,
            role,
            inboxes,
        }
    }

    /// A command-line or system actor with a role's inbox over the whole region.
    pub fn system(user: UserId, role: Role) -> Self {
        Access::new(
            user,
            Inbox::of_role(role, None, None, Vec::new()),
            Vec::new(),
        )
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    /// The user's own role (never a delegated one).
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn inboxes(&self) -> &[Inbox] {
        &self.inboxes
    }

    pub fn own(&self) -> &Inbox {
        &self.inboxes[0]
    }

    /// The inbox whose authority grants `cap` on `agency`: the user's own when it does, else
    /// the first one they stand in for.
    pub fn authority(&self, cap: Capability, agency: Option<AgencyId>) -> Option<&Inbox> {
        self.inboxes.iter().find(|i| i.grants(cap, agency))
    }

    pub fn can(&self, cap: Capability, agency: Option<AgencyId>) -> bool {
        self.authority(cap, agency).is_some()
    }

    /// Whether `cap` is granted anywhere (e.g. to show a menu entry).
    pub fn can_somewhere(&self, cap: Capability) -> bool {
        self.inboxes.iter().any(|i| i.capabilities.has(cap))
    }

    /// Whether some inbox grants `cap` on every agency (the region desk's work).
    pub fn can_region_wide(&self, cap: Capability) -> bool {
        self.inboxes
            .iter()
            .any(|i| i.capabilities.has(cap) && i.scope == Scope::Region)
    }

    /// Who the user acts as when using `cap` on `agency`: `None` for their own authority (or
    /// none at all), `Some` when it comes from a delegation.
    pub fn acting_for(&self, cap: Capability, agency: Option<AgencyId>) -> Option<&Acting> {
        self.authority(cap, agency).and_then(|i| i.acting.as_ref())
    }

    /// The agencies where `cap` is granted: `None` for the whole region, else their union.
    pub fn agencies_with(&self, cap: Capability) -> Option<Vec<AgencyId>> {
        let mut all = Vec::new();
        for inbox in self.inboxes.iter().filter(|i| i.capabilities.has(cap)) {
            match &inbox.scope {
                Scope::Region => return None,
                Scope::Agencies(ids) => {
                    for id in ids {
                        if !all.contains(id) {
                            all.push(*id);
                        }
                    }
                }
            }
        }
        Some(all)
    }

    /// The agencies whose tickets the user sees (`None`: the whole region).
    pub fn visible_agencies(&self) -> Option<Vec<AgencyId>> {
        self.agencies_with(Capability::Read)
    }

    pub fn sees(&self, agency: Option<AgencyId>) -> bool {
        self.can(Capability::Read, agency)
    }

    /// The inbox in which the user acts in a workflow step for `role` (and `position`, when
    /// the step names one) on a ticket of `agency`. The administrator acts in any step.
    pub fn step_authority(
        &self,
        agency: Option<AgencyId>,
        role: Role,
        position: Option<PositionId>,
    ) -> Option<&Inbox> {
        if self.is_admin() {
            return Some(self.own());
        }
        self.inboxes.iter().find(|i| {
            i.grants(Capability::Handle, agency)
                && i.role == role
                && position.is_none_or(|p| i.position == Some(p))
        })
    }

    /// The inbox with which the user disposes a ticket of `agency` as its head: dispositions
    /// start in the agency itself, not from a parent agency.
    pub fn head_of(&self, agency: AgencyId) -> Option<&Inbox> {
        self.inboxes
            .iter()
            .find(|i| i.capabilities.has(Capability::Dispose) && i.agency == Some(agency))
    }

    /// The officials whose dispositions the user may act on: themselves (`None`) and each
    /// delegator they stand in for.
    pub fn principals(&self) -> impl Iterator<Item = (UserId, Option<&Acting>)> {
        std::iter::once((self.user, None)).chain(
            self.inboxes
                .iter()
                .filter_map(|i| i.acting.as_ref())
                .filter_map(|a| a.delegator.map(|d| (d, Some(a)))),
        )
    }
}

/// Why a delegation may not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelegationRefusal {
    /// Only the official, the operator of the position's agency or an administrator records.
    NotRecorder,
    /// An administrator's role is not a position.
    NotDelegable,
    /// The delegator and the delegate are the same person.
    ToOneself,
    /// Whoever records a delegation may not receive it.
    ToRecorder,
}

/// Who is recording a delegation, and of which position to whom.
#[derive(Debug, Clone, Copy)]
pub struct DelegationRequest {
    pub recorder: UserId,
    pub recorder_role: Role,
    pub recorder_agency: Option<AgencyId>,
    pub delegator: UserId,
    pub delegator_role: Role,
    pub position_agency: Option<AgencyId>,
    pub delegate: UserId,
}

/// Whether a delegation may be recorded (seed 001 §11.9: the operator of the agency records
/// it). Recording gives the recorder nothing.
pub fn may_record_delegation(r: &DelegationRequest) -> Result<(), DelegationRefusal> {
    let own = r.recorder == r.delegator;
    let agency_operator = r.recorder_role == Role::Operator
        && r.recorder_agency.is_some()
        && r.recorder_agency == r.position_agency;
    if !(own || agency_operator || r.recorder_role == Role::Admin) {
        return Err(DelegationRefusal::NotRecorder);
    }
    if r.delegator_role == Role::Admin {
        return Err(DelegationRefusal::NotDelegable);
    }
    if r.delegate == r.delegator {
        return Err(DelegationRefusal::ToOneself);
    }
    if r.delegate == r.recorder {
        return Err(DelegationRefusal::ToRecorder);
    }
    Ok(())
}

impl Acting {
    /// Adds who acted for whom to an event's payload.
    pub fn tag(acting: Option<&Acting>, mut payload: serde_json::Value) -> serde_json::Value {
        if let (Some(a), Some(map)) = (acting, payload.as_object_mut()) {
            map.insert("acting_as".into(), a.label.clone().into());
            if let Some(delegator) = a.delegator {
                map.insert("on_behalf_of".into(), delegator.0.into());
            }
        }
        payload
    }
}

#[cfg(test)]
mod tests;
