//! Who hears of a ticket past its deadline, and on which channel: the heads of the ticket's
//! agency, or the secretariat when it has none who can be reached (or the ticket is still in
//! triage); whoever stands in for one of them (Plt./Plh.) too. Each is written to by email
//! when they gave an address, else by SMS.

/// An official who may be told, with the addresses they gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub user: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// How a contact is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Email(String),
    Sms(String),
}

impl Contact {
    /// Email when they gave one, else SMS; a blank address counts as none.
    pub fn route(&self) -> Option<Route> {
        let given = |a: &Option<String>| a.as_ref().filter(|a| !a.trim().is_empty()).cloned();
        given(&self.email)
            .map(Route::Email)
            .or_else(|| given(&self.phone).map(Route::Sms))
    }
}

/// The officials a breached ticket is escalated to: the heads of its agency who can be
/// reached, else the secretariat.
pub fn recipients(heads: Vec<Contact>, secretariat: Vec<Contact>) -> Vec<Contact> {
    if heads.is_empty() { secretariat } else { heads }
}

/// `recipients` and, after them, whoever stands in for one of them, each once.
pub fn with_stand_ins(mut recipients: Vec<Contact>, stand_ins: Vec<Contact>) -> Vec<Contact> {
    for contact in stand_ins {
        if !recipients.iter().any(|r| r.user == contact.user) {
            recipients.push(contact);
        }
    }
    recipients
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(user: i64, email: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            user,
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
        }
    }

    #[test]
    fn a_contact_is_written_to_by_email_first() {
        let email = |a: &str| Some(Route::Email(a.into()));
        let sms = |a: &str| Some(Route::Sms(a.into()));
        let table = [
            (contact(1, Some("a@x.id"), Some("+6281")), email("a@x.id")),
            (contact(1, Some("a@x.id"), None), email("a@x.id")),
            (contact(1, None, Some("+6281")), sms("+6281")),
            (contact(1, Some("  "), Some("+6281")), sms("+6281")),
            (contact(1, Some(""), Some(" ")), None),
            (contact(1, None, None), None),
        ];
        for (contact, route) in table {
            assert_eq!(contact.route(), route, "{contact:?}");
        }
    }

    #[test]
    fn the_heads_first_else_the_secretariat() {
        let heads = vec![
            contact(1, Some("k@x.id"), None),
            contact(2, None, Some("+62")),
        ];
        let secretariat = vec![contact(9, Some("s@x.id"), None)];
        let table = [
            (heads.clone(), secretariat.clone(), vec![1, 2]),
            (Vec::new(), secretariat.clone(), vec![9]),
            (heads.clone(), Vec::new(), vec![1, 2]),
            (Vec::new(), Vec::new(), vec![]),
        ];
        for (heads, secretariat, expected) in table {
            let users: Vec<i64> = recipients(heads, secretariat)
                .iter()
                .map(|c| c.user)
                .collect();
            assert_eq!(users, expected);
        }
    }

    #[test]
    fn stand_ins_come_after_once_each() {
        let table: [(&[i64], &[i64], &[i64]); 4] = [
            (&[1, 2], &[], &[1, 2]),
            (&[1, 2], &[5], &[1, 2, 5]),
            (&[1, 2], &[2, 5, 5], &[1, 2, 5]),
            (&[], &[5], &[5]),
        ];
        for (officials, stand_ins, expected) in table {
            let of = |ids: &[i64]| ids.iter().map(|u| contact(*u, None, None)).collect();
            let users: Vec<i64> = with_stand_ins(of(officials), of(stand_ins))
                .iter()
                .map(|c| c.user)
                .collect();
            assert_eq!(users, expected);
        }
    }
}
