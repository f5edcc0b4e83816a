use super::*;
use TicketStatus::*;

const OPD: AgencyId = AgencyId(2);
const OTHER: AgencyId = AgencyId(3);
const STAFF: UserId = UserId(7);
const BOSS: UserId = UserId(1);

fn facts(status: TicketStatus) -> TicketFacts {
    TicketFacts {
        status,
        agency: Some(OPD),
        answer_needs_approval: false,
    }
}

fn forward(target: Option<AgencyId>) -> Command<'static> {
    Command::Forward {
        target,
        code: "DISHUB",
        note: "",
    }
}

fn assign(agency: Option<AgencyId>, by: UserId) -> Command<'static> {
    Command::Assign {
        assignee: Some(Assignee { id: STAFF, agency }),
        by,
    }
}

fn decline(reason: DeclineReason, detail: &'static str, dup: Option<TicketId>) -> Command<'static> {
    Command::Decline {
        reason,
        detail,
        duplicate_of: dup,
    }
}

/// (from, command, new status, row change, step effect, notify, publish, to reporter)
type Row = (
    TicketStatus,
    Command<'static>,
    TicketStatus,
    RowChange,
    StepEffect,
    Notify,
    bool,
    ToReporter,
);

#[test]
fn decisions() {
    let table: Vec<Row> = vec![
        (
            Received,
            forward(Some(OTHER)),
            Open,
            RowChange::Agency(OTHER),
            StepEffect::Done(StepKind::Forward),
            Notify::LiaisonOfficersOf(OTHER),
            false,
            ToReporter::Nothing,
        ),
        (
            Answered,
            Command::Note { body: "cek" },
            Answered,
            RowChange::None,
            StepEffect::None,
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
        (
            Open,
            assign(Some(OPD), BOSS),
            Open,
            RowChange::Assignee(STAFF),
            StepEffect::Assigned(STAFF),
            Notify::User(STAFF),
            false,
            ToReporter::Nothing,
        ),
        (
            Open,
            assign(Some(OPD), STAFF),
            Open,
            RowChange::Assignee(STAFF),
            StepEffect::Assigned(STAFF),
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
        (
            Open,
            Command::Answer { body: "sudah" },
            Answered,
            RowChange::Answered,
            StepEffect::End { completed: true },
            Notify::Nobody,
            true,
            ToReporter::Answer,
        ),
        (
            Received,
            Command::Ask {
                question: "di mana?",
            },
            Received,
            RowChange::AwaitReporter,
            StepEffect::None,
            Notify::Nobody,
            false,
            ToReporter::Question,
        ),
        (
            Open,
            decline(DeclineReason::Sara, "", None),
            Declined,
            RowChange::Declined(DeclineReason::Sara),
            StepEffect::End { completed: false },
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
        (
            Open,
            decline(DeclineReason::Duplicate, "", Some(TicketId(5))),
            Declined,
            RowChange::Declined(DeclineReason::Duplicate),
            StepEffect::End { completed: false },
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
        (
            Answered,
            Command::Close { note: "" },
            Closed,
            RowChange::Closed,
            StepEffect::End { completed: false },
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
        (
            Closed,
            Command::Reopen { note: "lagi" },
            Open,
            RowChange::Reopened,
            StepEffect::Restart,
            Notify::Nobody,
            false,
            ToReporter::Nothing,
        ),
    ];
    for (from, command, status, row, step, notify, publish, reporter) in table {
        let d = decide(&facts(from), &command).unwrap_or_else(|e| panic!("{command:?}: {e:?}"));
        assert_eq!(d.status, status, "{command:?}");
        assert_eq!(d.row, row, "{command:?}");
        assert_eq!(d.step, step, "{command:?}");
        assert_eq!(d.notify, notify, "{command:?}");
        assert_eq!(d.publish_answer, publish, "{command:?}");
        assert_eq!(d.to_reporter, reporter, "{command:?}");
    }
}

#[test]
fn refusals() {
    let needs_approval = TicketFacts {
        answer_needs_approval: true,
        ..facts(Open)
    };
    let triage = TicketFacts {
        agency: None,
        ..facts(Received)
    };
    let table: Vec<(TicketFacts, Command<'static>, Refusal)> = vec![
        (
            facts(Closed),
            forward(Some(OTHER)),
            Refusal::NotInStatus(Closed),
        ),
        (
            facts(Received),
            Command::Answer { body: "x" },
            Refusal::NotInStatus(Received),
        ),
        (
            facts(Open),
            forward(None),
            Refusal::UnknownAgency("DISHUB".into()),
        ),
        (facts(Open), forward(Some(OPD)), Refusal::AlreadyAtAgency),
        (
            facts(Open),
            Command::Note { body: "  " },
            Refusal::FieldRequired(Field::Note),
        ),
        (
            facts(Open),
            Command::Answer { body: "" },
            Refusal::FieldRequired(Field::Answer),
        ),
        (
            facts(Open),
            Command::Ask { question: "\n" },
            Refusal::FieldRequired(Field::Question),
        ),
        (
            needs_approval,
            Command::Answer { body: "x" },
            Refusal::ApprovalRequired,
        ),
        (
            facts(Open),
            assign(Some(OTHER), BOSS),
            Refusal::AssigneeOutsideAgency,
        ),
        (
            facts(Open),
            Command::Assign {
                assignee: None,
                by: BOSS,
            },
            Refusal::UnknownUser,
        ),
        (
            facts(Open),
            decline(DeclineReason::Duplicate, "", None),
            Refusal::DuplicateNotFound,
        ),
        (
            facts(Open),
            decline(DeclineReason::Other, " ", None),
            Refusal::FieldRequired(Field::DeclineDetail),
        ),
    ];
    for (ticket, command, refusal) in table {
        assert_eq!(decide(&ticket, &command), Err(refusal), "{command:?}");
    }
    // In triage (no agency yet) anyone of the secretariat's choosing may be assigned.
    assert!(decide(&triage, &assign(Some(OTHER), BOSS)).is_ok());
}

#[test]
fn decline_text_carries_the_detail() {
    let d = decide(
        &facts(Open),
        &decline(DeclineReason::Other, " alamat tidak jelas ", None),
    )
    .unwrap();
    assert_eq!(
        d.body,
        format!("{}: alamat tidak jelas", DeclineReason::Other.label_id())
    );
}
