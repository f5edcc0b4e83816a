//! The words for what `domain` and `store` report as data: refusals of commands, in Bahasa
//! Indonesia, in one place.

use domain::{Field, Refusal};

fn field(f: Field) -> &'static str {
    match f {
        Field::Note => "catatan",
        Field::Answer => "jawaban",
        Field::Question => "pertanyaan",
        Field::DeclineDetail => "alasan penolakan",
    }
}

/// Why a command was refused, for the user.
pub fn refusal(r: &Refusal) -> String {
    match r {
        Refusal::NotInStatus(status) => {
            format!("tindakan tidak dapat dilakukan pada aduan berstatus {status}")
        }
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
        ];
        for r in &all {
            assert!(refusal(r).len() > 10, "{r:?}");
        }
    }
}
