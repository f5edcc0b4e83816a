use sha2::{Digest, Sha256};

/// Kinds of events on a ticket's append-only timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Received,
    Forwarded,
    Assigned,
    Note,
    Answered,
    Declined,
    Closed,
    Reopened,
    AskedReporter,
    ReporterReplied,
    /// The secretariat recorded the ticket's tracking number in LAPOR! SP4N.
    LaporRecorded,
    /// The deadline passed without an answer; the officials above were notified.
    SlaBreached,
    /// Sent down the disposition chain (seed 003); the public sees only that it is being handled.
    Disposed,
    /// A recipient of a disposition reported back to the one who sent it.
    DispositionReported,
    /// A disposition passed its due date without a report; the sender was notified.
    DispositionOverdue,
    /// An answer drafted for approval (workflow with an approval step).
    AnswerDrafted,
    /// The approver changed a draft; both versions are kept.
    AnswerEdited,
    /// The approver approved the draft.
    AnswerApproved,
    /// The approver returned the draft with comments.
    AnswerReturned,
    /// A workflow step was marked done by hand (e.g. the review).
    StepCompleted,
    /// The answered case went on the public site (masked), or its public answer was updated.
    Published,
    /// A moderator withheld, restored or edited the published copy (the ticket is unchanged).
    PublicationModerated,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::Forwarded => "forwarded",
            EventKind::Assigned => "assigned",
            EventKind::Note => "note",
            EventKind::Answered => "answered",
            EventKind::Declined => "declined",
            EventKind::Closed => "closed",
            EventKind::Reopened => "reopened",
            EventKind::AskedReporter => "asked_reporter",
            EventKind::ReporterReplied => "reporter_replied",
            EventKind::LaporRecorded => "lapor_recorded",
            EventKind::SlaBreached => "sla_breached",
            EventKind::Disposed => "disposed",
            EventKind::DispositionReported => "disposition_reported",
            EventKind::DispositionOverdue => "disposition_overdue",
            EventKind::AnswerDrafted => "answer_drafted",
            EventKind::AnswerEdited => "answer_edited",
            EventKind::AnswerApproved => "answer_approved",
            EventKind::AnswerReturned => "answer_returned",
            EventKind::StepCompleted => "step_completed",
            EventKind::Published => "published",
            EventKind::PublicationModerated => "publication_moderated",
        }
    }

    /// Internal notes, assignments and LAPOR! bookkeeping stay inside the organisation.
    pub fn is_public(self) -> bool {
        !matches!(
            self,
            EventKind::Note
                | EventKind::Assigned
                | EventKind::LaporRecorded
                | EventKind::SlaBreached
                | EventKind::DispositionReported
                | EventKind::DispositionOverdue
                | EventKind::AnswerDrafted
                | EventKind::AnswerEdited
                | EventKind::AnswerApproved
                | EventKind::AnswerReturned
                | EventKind::StepCompleted
                | EventKind::PublicationModerated
        )
    }

    pub fn label_id(kind: &str) -> &'static str {
        match kind {
            "received" => "Aduan diterima",
            "forwarded" => "Diteruskan ke OPD",
            "assigned" => "Ditugaskan",
            "note" => "Catatan internal",
            "answered" => "Dijawab",
            "declined" => "Ditolak",
            "closed" => "Ditutup",
            "reopened" => "Dibuka kembali",
            "asked_reporter" => "Petugas meminta keterangan",
            "reporter_replied" => "Pelapor menanggapi",
            "lapor_recorded" => "Nomor LAPOR! SP4N dicatat",
            "sla_breached" => "Melewati batas waktu; atasan diberi tahu",
            "disposed" => "Didisposisikan untuk ditindaklanjuti",
            "disposition_reported" => "Laporan disposisi",
            "disposition_overdue" => "Disposisi melewati tenggat; pemberi disposisi diberi tahu",
            "answer_drafted" => "Draf jawaban diajukan",
            "answer_edited" => "Draf jawaban diubah penyetuju",
            "answer_approved" => "Jawaban disetujui",
            "answer_returned" => "Draf jawaban dikembalikan",
            "step_completed" => "Langkah alur selesai",
            "published" => "Dipublikasikan di situs pengaduan",
            "publication_moderated" => "Publikasi dimoderasi",
            _ => "Peristiwa",
        }
    }
}

/// The fields of an event that its hash covers.
pub struct EventContent<'a> {
    pub ticket_id: i64,
    pub seq: i64,
    pub kind: &'a str,
    pub actor_id: Option<i64>,
    pub at_ms: i64,
    pub body: &'a str,
    pub payload: &'a str,
}

/// Hash of an event chained to the previous event's hash (empty for the first event).
/// Each field is length-prefixed so that no two different events serialise alike.
pub fn event_hash(prev_hash: &str, event: &EventContent<'_>) -> String {
    let mut hasher = Sha256::new();
    let actor = event.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let (ticket_id, seq, at) = (
        event.ticket_id.to_string(),
        event.seq.to_string(),
        event.at_ms.to_string(),
    );
    let fields: [&[u8]; 8] = [
        prev_hash.as_bytes(),
        ticket_id.as_bytes(),
        seq.as_bytes(),
        event.kind.as_bytes(),
        actor.as_bytes(),
        at.as_bytes(),
        event.body.as_bytes(),
        event.payload.as_bytes(),
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str) -> EventContent<'_> {
        EventContent {
            ticket_id: 1,
            seq: 1,
            kind: "note",
            actor_id: Some(2),
            at_ms: 3,
            body,
            payload: "{}",
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_the_chain() {
        let a = event_hash("", &content("halo"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, event_hash("", &content("halo!")));
        assert_ne!(a, event_hash("x", &content("halo")));
        assert_eq!(a, event_hash("", &content("halo")));
    }
}
