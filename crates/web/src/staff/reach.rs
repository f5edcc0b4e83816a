//! What the officer is told about an answer's way to the reporter: the outbox's truth.

use domain::{MessageChannel, MessageStatus};
use store::reach::{AnswerReach, Delivery};

fn channel_label(channel: MessageChannel) -> &'static str {
    match channel {
        MessageChannel::Sms => "SMS",
        MessageChannel::Email => "email",
    }
}

fn status_label(delivery: &Delivery) -> String {
    match delivery.status {
        MessageStatus::Pending => "dalam antrean".into(),
        MessageStatus::Sent => "terkirim".into(),
        MessageStatus::Delivered => "diterima pelapor".into(),
        MessageStatus::Failed => match delivery.last_error.as_deref().filter(|e| !e.is_empty()) {
            Some(error) => format!("gagal ({error})"),
            None => "gagal".into(),
        },
    }
}

/// One sentence: the channels the answer went to with their outbox status, or that it is only
/// on the tracking page.
pub(crate) fn answer_summary(reach: &AnswerReach) -> String {
    summary("Jawaban", reach)
}

/// The same for a question to the reporter (`ask`): never "sent" when nothing could be sent.
pub(crate) fn question_summary(reach: &AnswerReach) -> String {
    summary("Pertanyaan", reach)
}

fn summary(what: &str, reach: &AnswerReach) -> String {
    let blocked = if reach.phone_blocked {
        " Nomor telepon pelapor diblokir, jadi tidak ada SMS."
    } else {
        ""
    };
    if reach.deliveries.is_empty() {
        return format!(
            "{what} hanya di halaman lacak: tidak ada kontak pelapor yang dapat dikirimi.{blocked}"
        );
    }
    let parts: Vec<String> = reach
        .deliveries
        .iter()
        .map(|d| format!("{}: {}", channel_label(d.channel), status_label(d)))
        .collect();
    format!(
        "{what} dikirim ke pelapor lewat {}.{blocked}",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(channel: &str, status: &str) -> Delivery {
        Delivery {
            channel: MessageChannel::parse(channel).unwrap(),
            status: MessageStatus::parse(status).unwrap(),
            dlr_status: None,
            last_error: None,
        }
    }

    #[test]
    fn the_summary_says_what_the_outbox_says() {
        let none = AnswerReach::default();
        assert!(answer_summary(&none).starts_with("Jawaban hanya di halaman lacak"));
        let both = AnswerReach {
            deliveries: vec![delivery("sms", "pending"), delivery("email", "sent")],
            phone_blocked: false,
        };
        assert_eq!(
            answer_summary(&both),
            "Jawaban dikirim ke pelapor lewat SMS: dalam antrean; email: terkirim."
        );
        let blocked = AnswerReach {
            deliveries: vec![delivery("email", "failed")],
            phone_blocked: true,
        };
        assert!(answer_summary(&blocked).contains("diblokir"));
        assert!(answer_summary(&blocked).contains("email: gagal"));
        assert_eq!(
            question_summary(&none),
            "Pertanyaan hanya di halaman lacak: tidak ada kontak pelapor yang dapat dikirimi."
        );
        assert!(question_summary(&both).starts_with("Pertanyaan dikirim ke pelapor lewat SMS"));
    }
}
