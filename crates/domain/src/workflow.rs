//! Workflow templates (MISSION C1–C2): an ordered list of steps, each with a name, the role
//! that acts, a duration in working time and the action that completes it. A ticket follows
//! the template that matches it most specifically; its current step has its own deadline.

use crate::Role;
use crate::calendar::{Duration, WorkingCalendar};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The action that completes a step: `forward` (secretariat forwards to the agency),
/// `dispose` (head of agency disposes to the liaison officer and team), `review` (marked
/// done by hand), `draft` (answer drafted to the approver), `approve` (approver approves),
/// `send` (the approved answer goes to the reporter), `answer` (a direct answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Forward,
    Dispose,
    Review,
    Draft,
    Approve,
    Send,
    Answer,
}

impl StepKind {
    pub const ALL: &'static [StepKind] = &[
        StepKind::Forward,
        StepKind::Dispose,
        StepKind::Review,
        StepKind::Draft,
        StepKind::Approve,
        StepKind::Send,
        StepKind::Answer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Forward => "forward",
            StepKind::Dispose => "dispose",
            StepKind::Review => "review",
            StepKind::Draft => "draft",
            StepKind::Approve => "approve",
            StepKind::Send => "send",
            StepKind::Answer => "answer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

impl TryFrom<String> for StepKind {
    type Error = crate::UnknownValue;

    fn try_from(text: String) -> Result<Self, crate::UnknownValue> {
        Self::parse(&text).ok_or(crate::UnknownValue {
            of: "StepKind",
            value: text,
        })
    }
}

impl StepKind {
    pub fn label_id(self) -> &'static str {
        match self {
            StepKind::Forward => "Diteruskan ke OPD",
            StepKind::Dispose => "Disposisi ke pejabat penghubung",
            StepKind::Review => "Telaah (ditandai selesai)",
            StepKind::Draft => "Draf jawaban diajukan",
            StepKind::Approve => "Jawaban disetujui",
            StepKind::Send => "Jawaban dikirim ke pelapor",
            StepKind::Answer => "Jawaban langsung",
        }
    }
}

/// One step of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub role: Role,
    pub kind: StepKind,
    pub duration: Duration,
    /// Only the holder of this position acts in the step (e.g. the approver), rather than any
    /// user with the role.
    #[serde(default)]
    pub position_id: Option<i64>,
}

/// Where a template applies: an agency, a category, both, or the region default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub template_id: i64,
    pub agency_id: Option<i64>,
    pub category: Option<String>,
    pub is_default: bool,
}

/// The template a ticket follows: agency and category, then agency, then category, then the
/// region default; `None` when nothing matches (the ticket keeps only its overall deadline).
pub fn choose(scopes: &[Scope], agency_id: Option<i64>, category: &str) -> Option<i64> {
    let rank = |s: &Scope| -> Option<u8> {
        let agency_ok = s.agency_id.is_none() || s.agency_id == agency_id;
        let category_ok = s.category.is_none() || s.category.as_deref() == Some(category);
        if !agency_ok || !category_ok {
            return None;
        }
        match (s.agency_id.is_some(), s.category.is_some()) {
            (true, true) => Some(0),
            (true, false) => Some(1),
            (false, true) => Some(2),
            (false, false) if s.is_default => Some(3),
            (false, false) => None,
        }
    };
    scopes
        .iter()
        .filter_map(|s| rank(s).map(|r| (r, s.template_id)))
        .min()
        .map(|(_, id)| id)
}

/// Why a list of steps was refused (the message is shown to the admin).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepsError {
    #[error("templat harus memiliki paling sedikit satu langkah")]
    Empty,
    #[error("langkah {0}: nama wajib diisi")]
    NoName(usize),
    #[error("langkah {0}: jenis langkah {1:?} hanya boleh muncul sekali")]
    Repeated(usize, &'static str),
    #[error("langkah {0}: persetujuan harus didahului langkah draf jawaban")]
    ApproveWithoutDraft(usize),
    #[error("langkah {0}: draf jawaban harus diikuti langkah persetujuan")]
    DraftWithoutApprove(usize),
    #[error("langkah {0}: pengiriman jawaban harus setelah persetujuan")]
    SendWithoutApprove(usize),
    #[error("langkah {0}: jawaban langsung tidak dapat digabung dengan persetujuan")]
    AnswerWithApprove(usize),
}

/// Checks a template's steps: named, each action once, a draft goes with an approval after
/// it, sending comes after the approval.
pub fn validate(steps: &[Step]) -> Result<(), StepsError> {
    if steps.is_empty() {
        return Err(StepsError::Empty);
    }
    let index = |kind: StepKind| steps.iter().position(|s| s.kind == kind);
    for (i, s) in steps.iter().enumerate() {
        if s.name.trim().is_empty() {
            return Err(StepsError::NoName(i + 1));
        }
        if s.kind != StepKind::Review && index(s.kind) != Some(i) {
            return Err(StepsError::Repeated(i + 1, s.kind.as_str()));
        }
    }
    match (index(StepKind::Draft), index(StepKind::Approve)) {
        (None, Some(a)) => return Err(StepsError::ApproveWithoutDraft(a + 1)),
        (Some(d), Some(a)) if a < d => return Err(StepsError::ApproveWithoutDraft(a + 1)),
        (Some(d), None) => return Err(StepsError::DraftWithoutApprove(d + 1)),
        _ => {}
    }
    if let Some(s) = index(StepKind::Send)
        && index(StepKind::Approve).is_none_or(|a| a > s)
    {
        return Err(StepsError::SendWithoutApprove(s + 1));
    }
    if let (Some(a), Some(_)) = (index(StepKind::Answer), index(StepKind::Approve)) {
        return Err(StepsError::AnswerWithApprove(a + 1));
    }
    Ok(())
}

/// Whether answers of this template wait for an approval.
pub fn needs_approval(steps: &[Step]) -> bool {
    steps.iter().any(|s| s.kind == StepKind::Approve)
}

/// The first current step of a new ticket: a ticket that already has its agency (SMS keyword,
/// agency chosen on the form) skips the leading `forward` step.
pub fn first_step(steps: &[Step], has_agency: bool) -> Option<usize> {
    steps
        .iter()
        .position(|s| !(has_agency && s.kind == StepKind::Forward))
}

/// The step completed when `done` happens while `current` is the current step: the first step
/// of that kind at or after `current` (earlier steps count as done with it). `None` when no
/// such step is ahead.
pub fn completes(steps: &[Step], current: usize, done: StepKind) -> Option<usize> {
    steps
        .iter()
        .enumerate()
        .skip(current)
        .find(|(_, s)| s.kind == done)
        .map(|(i, _)| i)
}

/// A step's deadline when it starts at `start`, in the calendar's working time.
pub fn step_due(calendar: &WorkingCalendar, start: DateTime<Utc>, step: &Step) -> DateTime<Utc> {
    calendar
        .checked_add(start, step.duration)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The seeded *SOP Wadul* steps (seed 003), as also shipped by the migration.
pub fn sop_wadul() -> Vec<Step> {
    let step = |name: &str, role: Role, kind: StepKind, d: &str| Step {
        name: name.into(),
        role,
        kind,
        duration: d.parse().expect("valid duration"),
        position_id: None,
    };
    vec![
        step(
            "Sekretariat meneruskan ke OPD",
            Role::Secretariat,
            StepKind::Forward,
            "1wd",
        ),
        step(
            "Kepala OPD mendisposisi ke pejabat penghubung dan tim",
            Role::HeadOfAgency,
            StepKind::Dispose,
            "30wm",
        ),
        step(
            "Telaah dan tindak lanjut",
            Role::LiaisonOfficer,
            StepKind::Review,
            "2wd",
        ),
        step(
            "Jawaban disusun dan dilaporkan ke Kepala OPD",
            Role::LiaisonOfficer,
            StepKind::Draft,
            "1wd",
        ),
        step(
            "Kepala OPD menyetujui atau mengembalikan jawaban",
            Role::HeadOfAgency,
            StepKind::Approve,
            "1wd",
        ),
        step(
            "Sekretariat mengirim hasil ke pelapor dan mencatat di LAPOR! SP4N",
            Role::Secretariat,
            StepKind::Send,
            "1wd",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn scope(id: i64, agency: Option<i64>, category: Option<&str>, default: bool) -> Scope {
        Scope {
            template_id: id,
            agency_id: agency,
            category: category.map(str::to_string),
            is_default: default,
        }
    }

    #[test]
    fn most_specific_template_wins() {
        let scopes = vec![
            scope(1, None, None, true),
            scope(2, None, Some("pengaduan"), false),
            scope(3, Some(7), None, false),
            scope(4, Some(7), Some("pengaduan"), false),
            scope(5, None, None, false),
        ];
        assert_eq!(choose(&scopes, Some(7), "pengaduan"), Some(4));
        assert_eq!(choose(&scopes, Some(7), "saran"), Some(3));
        assert_eq!(choose(&scopes, Some(8), "pengaduan"), Some(2));
        assert_eq!(choose(&scopes, None, "pengaduan"), Some(2));
        assert_eq!(choose(&scopes, Some(8), "saran"), Some(1));
        assert_eq!(choose(&scopes, None, "saran"), Some(1));
        // Without a region default (template 5 is assigned nowhere) nothing matches.
        assert_eq!(choose(&scopes[1..], Some(8), "saran"), None);
        // The order of the list does not matter.
        let mut reversed = scopes.clone();
        reversed.reverse();
        assert_eq!(choose(&reversed, Some(7), "pengaduan"), Some(4));
        assert_eq!(choose(&reversed, Some(8), "saran"), Some(1));
    }

    #[test]
    fn steps_are_checked() {
        assert!(validate(&sop_wadul()).is_ok());
        assert_eq!(validate(&[]), Err(StepsError::Empty));
        let mut steps = sop_wadul();
        steps.remove(3); // the draft
        assert_eq!(validate(&steps), Err(StepsError::ApproveWithoutDraft(4)));
        let mut steps = sop_wadul();
        steps.remove(4); // the approval
        assert!(matches!(
            validate(&steps),
            Err(StepsError::DraftWithoutApprove(4))
        ));
        let mut steps = sop_wadul();
        steps[1].name = "  ".into();
        assert_eq!(validate(&steps), Err(StepsError::NoName(2)));
        let mut steps = sop_wadul();
        steps.push(steps[0].clone());
        assert_eq!(validate(&steps), Err(StepsError::Repeated(7, "forward")));
        let mut steps = sop_wadul();
        steps.swap(4, 5);
        assert_eq!(validate(&steps), Err(StepsError::SendWithoutApprove(5)));
        assert!(needs_approval(&sop_wadul()));
    }

    #[test]
    fn progression() {
        let steps = sop_wadul();
        assert_eq!(first_step(&steps, false), Some(0));
        assert_eq!(first_step(&steps, true), Some(1));
        assert_eq!(completes(&steps, 0, StepKind::Forward), Some(0));
        // Drafting during the review completes the review with it.
        assert_eq!(completes(&steps, 2, StepKind::Draft), Some(3));
        assert_eq!(completes(&steps, 4, StepKind::Forward), None);
        assert_eq!(completes(&steps, 5, StepKind::Send), Some(5));
    }

    #[test]
    fn step_deadlines_are_in_working_time() {
        let cal = WorkingCalendar::default();
        let zone = cal.zone();
        let at = |s: &str| {
            zone.from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
            )
            .single()
            .unwrap()
            .with_timezone(&Utc)
        };
        let local = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
        let steps = sop_wadul();
        // Friday 2026-11-27 15:50: 30 working minutes end on Monday 07:50 (10 on Friday).
        assert_eq!(
            local(step_due(&cal, at("2026-11-27 15:50"), &steps[1])),
            "2026-11-30 07:50"
        );
        // Two working days from Monday 10:00 end on Wednesday at the same hour.
        assert_eq!(
            local(step_due(&cal, at("2026-11-30 10:00"), &steps[2])),
            "2026-12-02 10:00"
        );
        let sms_center = Step {
            name: "Menjawab".into(),
            role: Role::LiaisonOfficer,
            kind: StepKind::Answer,
            duration: "3wh".parse().unwrap(),
            position_id: None,
        };
        // 3 working hours from Friday 15:00: one hour on Friday, two on Monday from 07:30.
        assert_eq!(
            local(step_due(&cal, at("2026-11-27 15:00"), &sms_center)),
            "2026-11-30 09:30"
        );
    }
}
