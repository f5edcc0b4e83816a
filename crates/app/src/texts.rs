//! The texts Balai sends to reporters by email, in one place (SMS texts are the admin-edited
//! templates, filled here too).

use store::messages::ReporterText;

pub(crate) fn answer(sms: String, code: &str, answer: &str) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Jawaban atas aduan Anda ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nAduan Anda dengan kode lacak {code} telah dijawab:\n\n{answer}\n\n\
             Anda dapat melihat perkembangan aduan di halaman /lacak/{code}.\n\nTerima kasih."
        ),
    }
}

pub(crate) fn question(sms: String, code: &str, question: &str) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Permintaan keterangan untuk aduan Anda ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nPetugas memerlukan keterangan tambahan untuk aduan {code}:\n\n{question}\n\n\
             Silakan balas email ini atau hubungi kami.\n\nTerima kasih."
        ),
    }
}

pub(crate) fn acknowledgement(sms: String, code: &str, register: &str, due: &str) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Aduan Anda diterima ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nAduan Anda sudah kami terima dengan nomor register {register} dan kode lacak {code}.\n\
             Jawaban paling lambat {due}. Anda dapat melihat perkembangan aduan di halaman /lacak/{code}.\n\n\
             Simpan kode lacak ini; petugas tidak akan meminta kata sandi atau data pribadi lain.\n\nTerima kasih."
        ),
    }
}
