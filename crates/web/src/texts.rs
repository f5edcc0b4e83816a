//! The words for what `domain` and `store` report as data: refusals of commands, in Bahasa
//! Indonesia, in one place.

use domain::{Field, Refusal};

fn field(f: Field) -> &'static str {
    match f {
        Field::Note => "catatan",
        Field::Answer => "jawaban",
        Field::Question => "pertanyaan",
        Field::DeclineDetail => "alasan penolakan",
        Field::ReturnComment => "catatan pengembalian",
        Field::Report => "laporan",
    }
}

/// Why a command was refused, for the user.
pub fn refusal(r: &Refusal) -> String {
    match r {
        Refusal::NotInStatus(status) => {
            format!("tindakan tidak dapat dilakukan pada aduan berstatus {status}")
        }
        // A disposition's report is named by its API field, as the form shows it.
        Refusal::FieldRequired(Field::Report) => "report: laporan wajib diisi".into(),
        Refusal::FieldRequired(f) => format!("{} wajib diisi", field(*f)),
        Refusal::UnknownAgency(code) => format!("OPD tujuan tidak dikenal: {code}"),
        Refusal::AlreadyAtAgency => "aduan sudah berada di OPD tersebut".into(),
        Refusal::UnknownUser => "petugas tidak dikenal".into(),
        Refusal::AssigneeOutsideAgency => "petugas harus dari OPD yang menangani aduan".into(),
        Refusal::ApprovalRequired => {
            "alur aduan ini mewajibkan persetujuan: ajukan draf jawaban".into()
        }
        Refusal::DuplicateNotFound => "aduan asal untuk duplikat tidak ditemukan".into(),
        Refusal::IdempotencyKeyReused => {
            "Idempotency-Key ini sudah dipakai untuk permintaan lain".into()
        }
        Refusal::NoPendingDraft => "tidak ada draf jawaban yang menunggu persetujuan".into(),
        Refusal::NoApprovalStep => {
            "alur aduan ini tanpa persetujuan: kirim jawaban langsung".into()
        }
        Refusal::DraftInProgress => {
            "sudah ada draf jawaban yang menunggu persetujuan atau pengiriman".into()
        }
        Refusal::NoSendStep => "alur aduan ini tidak memiliki langkah pengiriman".into(),
        Refusal::NoApprovedAnswer => "belum ada jawaban yang disetujui".into(),
        Refusal::TicketFinished => "aduan sudah selesai".into(),
        Refusal::FinishedNotDisposable => "aduan sudah selesai; tidak dapat didisposisikan".into(),
        Refusal::NoCurrentStep => "aduan tidak memiliki langkah berjalan".into(),
        Refusal::StepCompletesByItsAction(step) => {
            format!("langkah \"{step}\" selesai melalui tindakannya sendiri")
        }
        Refusal::NotBelowSender(name) => {
            format!("recipients: {name} tidak berada di bawah Anda; disposisi hanya kepada bawahan")
        }
        Refusal::AlreadyReported => "disposisi ini sudah dilaporkan".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::TicketStatus;

    #[test]
    fn every_refusal_has_words() {
        let all = [
            Refusal::NotInStatus(TicketStatus::Closed),
            Refusal::FieldRequired(Field::Note),
            Refusal::FieldRequired(Field::Answer),
            Refusal::FieldRequired(Field::Question),
            Refusal::FieldRequired(Field::DeclineDetail),
            Refusal::UnknownAgency("X".into()),
            Refusal::AlreadyAtAgency,
            Refusal::UnknownUser,
            Refusal::AssigneeOutsideAgency,
            Refusal::ApprovalRequired,
            Refusal::DuplicateNotFound,
            Refusal::IdempotencyKeyReused,
            Refusal::FieldRequired(Field::ReturnComment),
            Refusal::FieldRequired(Field::Report),
            Refusal::NoPendingDraft,
            Refusal::NoApprovalStep,
            Refusal::DraftInProgress,
            Refusal::NoSendStep,
            Refusal::NoApprovedAnswer,
            Refusal::TicketFinished,
            Refusal::FinishedNotDisposable,
            Refusal::NoCurrentStep,
            Refusal::StepCompletesByItsAction("Telaah".into()),
            Refusal::NotBelowSender("Budi".into()),
            Refusal::AlreadyReported,
        ];
        for r in &all {
            assert!(refusal(r).len() > 10, "{r:?}");
        }
    }
}
