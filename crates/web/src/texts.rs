//! The words for what `domain` and `store` report as data: refusals of commands, in Bahasa
//! Indonesia, in one place.

use domain::{Field, Refusal, Taken};

fn field(f: Field) -> &'static str {
    match f {
        Field::Note => "catatan",
        Field::Answer => "jawaban",
        Field::Question => "pertanyaan",
        Field::DeclineDetail => "alasan penolakan",
        Field::ReturnComment => "catatan pengembalian",
        Field::Report => "laporan",
        Field::TemplateBody => "teks templat",
        Field::TemplateName => "nama templat",
        Field::WithholdReason => "alasan penahanan",
        Field::QuestionAndAnswer => "pertanyaan dan jawaban",
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
        Refusal::Taken(Taken::AgencyCode) => "kode OPD sudah ada".into(),
        Refusal::Taken(Taken::Username) => "nama pengguna sudah ada".into(),
        Refusal::Taken(Taken::Keyword(k)) => format!("kata kunci {k} sudah ada"),
        Refusal::Taken(Taken::GatewayName(n)) => format!("nama gateway {n} sudah dipakai"),
        Refusal::Taken(Taken::TemplateName(n)) => format!("nama templat \"{n}\" sudah dipakai"),
        Refusal::UnknownRole(role) => format!("peran tidak dikenal: {role}"),
        Refusal::PasswordTooShort => "kata sandi minimal 8 karakter".into(),
        Refusal::AgencyOwnParent => "OPD tidak bisa menjadi induk dirinya sendiri".into(),
        Refusal::KeywordNotOneWord => "kata kunci harus satu kata tanpa spasi, #, * atau .".into(),
        Refusal::KeywordReserved(k) => format!("{k} adalah kata khusus (cek status/bantuan)"),
        Refusal::NoChange => "tidak ada perubahan".into(),
        Refusal::AlreadyWithheld => "kasus sudah ditahan".into(),
        Refusal::AlreadyShown => "kasus sudah tampil".into(),
        Refusal::DelegationEnded => "delegasi ini sudah berakhir".into(),
        Refusal::TemplateOverlaps(other) => {
            format!("templat \"{other}\" sudah berlaku untuk OPD dan kategori ini")
        }
        Refusal::UnknownAgencyOrCategory => "OPD atau kategori tidak dikenal".into(),
        Refusal::UnknownIntakeAgency(code) => format!("OPD tidak dikenal: {code}"),
        Refusal::MonthFormat(month) => format!("bulan harus berbentuk TTTT-BB, bukan {month:?}"),
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
            Refusal::Taken(Taken::AgencyCode),
            Refusal::Taken(Taken::Username),
            Refusal::Taken(Taken::Keyword("JALAN".into())),
            Refusal::Taken(Taken::GatewayName("kannel".into())),
            Refusal::Taken(Taken::TemplateName("SOP".into())),
            Refusal::UnknownRole("raja".into()),
            Refusal::PasswordTooShort,
            Refusal::AgencyOwnParent,
            Refusal::KeywordNotOneWord,
            Refusal::KeywordReserved("CEK".into()),
            Refusal::NoChange,
            Refusal::AlreadyWithheld,
            Refusal::AlreadyShown,
            Refusal::DelegationEnded,
            Refusal::TemplateOverlaps("SOP".into()),
            Refusal::UnknownAgencyOrCategory,
            Refusal::UnknownIntakeAgency("XYZ".into()),
            Refusal::MonthFormat("2026-13".into()),
            Refusal::FieldRequired(Field::TemplateBody),
            Refusal::FieldRequired(Field::TemplateName),
            Refusal::FieldRequired(Field::WithholdReason),
            Refusal::FieldRequired(Field::QuestionAndAnswer),
        ];
        for r in &all {
            assert!(refusal(r).len() > 10, "{r:?}");
        }
    }
}
