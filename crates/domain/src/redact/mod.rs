//! Masking of personal data in a published copy (SMS §12.9 publishes answered complaints; the
//! citizen's original text is never changed, SMS §11.e; UU 27/2022 on personal data). Pure: the
//! store keeps the original and publishes `Redactor::mask` of the question and the answer.
//!
//! The text is normalised first (NFKC, dashes, spaces, digit look-alikes: `normalise`), then
//! each detector reports spans, which are merged and replaced by a mask:
//! - `numbers`: mobile and landline numbers in every spelling (brackets, `+62`/`0062`, slashes,
//!   spaces, lines, digits spelled in words), NIK/KK, NPWP, and bank, BPJS, SIM and passport
//!   numbers after their words; money, dates, times, toll-free numbers and NIP are kept;
//! - `email`: addresses, also written `[at]`, `(at)`, ` at … dot `, with spaces or a comma;
//! - `codes`: Balai's tracking codes and register numbers, so a published case never leads to
//!   its tracking page;
//! - `names`: the reporter's names in any case, accent and near spelling, a self-introduction,
//!   and (when switched on) third parties named after a title;
//! - `optional`: addresses, licence plates and social-media handles, when switched on.
//!
//! Masking is idempotent: the masks contain no digits, no `@` and nothing a detector reads.

mod codes;
mod email;
mod names;
mod normalise;
mod numbers;
mod optional;
#[cfg(test)]
mod tests;

use normalise::Text;

pub const PHONE_MASK: &str = "[nomor telepon]";
pub const EMAIL_MASK: &str = "[email]";
pub const NIK_MASK: &str = "[NIK]";
pub const NPWP_MASK: &str = "[NPWP]";
pub const ACCOUNT_MASK: &str = "[nomor rekening]";
pub const ID_MASK: &str = "[nomor identitas]";
pub const NAME_MASK: &str = "[nama]";
pub const CODE_MASK: &str = "[kode aduan]";
pub const ADDRESS_MASK: &str = "[alamat]";
pub const PLATE_MASK: &str = "[pelat nomor]";
pub const HANDLE_MASK: &str = "[akun media sosial]";

/// Kinds of data masked only when the administrator switches them on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Street addresses (`Jl. Merdeka No. 12`); RT/RW alone are kept.
    pub addresses: bool,
    /// Vehicle licence plates (`B 1234 XYZ`).
    pub plates: bool,
    /// Social-media handles and profile links (`@budi_s`, `instagram.com/budi`).
    pub handles: bool,
    /// Names of other people after a title (`Pak Joko`), not only the reporter's.
    pub third_party_names: bool,
}

/// What is known about the reporter and the ticket whose text is masked.
#[derive(Debug, Clone, Default)]
pub struct Reporter {
    pub names: Vec<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    /// The ticket's tracking code and register number.
    pub codes: Vec<String>,
}

/// A region of `Text::chars` to replace by `mask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    mask: &'static str,
}

/// Masks one ticket's texts: built once from the reporter, the settings and every text of the
/// case (a self-introduction in the question also masks that name in the answer).
pub struct Redactor {
    settings: Settings,
    names: names::NameWords,
    phones: Vec<String>,
    emails: Vec<String>,
    codes: codes::OwnCodes,
}

impl Redactor {
    pub fn new(reporter: &Reporter, settings: Settings, texts: &[&str]) -> Self {
        let mut names = names::NameWords::new(&reporter.names);
        for text in texts {
            names.learn_introductions(&Text::new(text));
        }
        Redactor {
            settings,
            names,
            phones: reporter
                .phones
                .iter()
                .filter_map(|p| numbers::phone_core(p))
                .collect(),
            emails: reporter
                .emails
                .iter()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| e.contains('@'))
                .collect(),
            codes: codes::OwnCodes::new(&reporter.codes),
        }
    }

    /// The text with every kind of personal data masked.
    pub fn mask(&self, text: &str) -> String {
        let text = Text::new(text);
        let mut spans = Vec::new();
        email::find(&text, &self.emails, &mut spans);
        codes::find(&text, &self.codes, &mut spans);
        if self.settings.handles {
            optional::handles(&text, &mut spans);
        }
        numbers::find(&text, &self.phones, &mut spans);
        if self.settings.plates {
            optional::plates(&text, &mut spans);
        }
        if self.settings.addresses {
            optional::addresses(&text, &mut spans);
        }
        self.names
            .find(&text, self.settings.third_party_names, &mut spans);
        render(&text.chars, spans)
    }
}

/// The text with emails, phone numbers, ID numbers, tracking codes and the given names masked
/// (no optional kinds).
pub fn mask_personal_data(text: &str, names: &[&str]) -> String {
    let reporter = Reporter {
        names: names.iter().map(|n| n.to_string()).collect(),
        ..Reporter::default()
    };
    Redactor::new(&reporter, Settings::default(), &[text]).mask(text)
}

/// How a named reporter appears on a published case: the first name and the initials of the
/// rest, titles left out ("Ibu Sari Dewi" → "Sari D."); a single name shows only its initial
/// ("Bagus" → "B."), since the name alone may identify the reporter. `None` without a name.
pub fn public_name(name: &str) -> Option<String> {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !names::is_title(&normalise::fold_word(w)))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let initial = |word: &str| -> Option<String> {
        let c = word.chars().find(|c| c.is_alphabetic())?;
        Some(format!("{}.", c.to_uppercase()))
    };
    match words.as_slice() {
        [] => None,
        [only] => initial(only),
        [first, rest @ ..] => {
            let mut label: String = first.chars().take(40).collect();
            for word in rest {
                if let Some(i) = initial(word) {
                    label.push(' ');
                    label.push_str(&i);
                }
            }
            Some(label)
        }
    }
}

/// Whether a word is a title or form of address (`Ibu`, `Pak`, `Sdr.`): never part of a name.
pub fn is_title(word: &str) -> bool {
    names::is_title(&normalise::fold_word(word))
}

/// Replaces the spans (merged where they overlap or touch; neighbouring names separated only by
/// spaces become one mask).
fn render(chars: &[char], mut spans: Vec<Span>) -> String {
    spans.retain(|s| s.start < s.end && s.end <= chars.len());
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if let Some(last) = merged.last_mut() {
            let gap_is_space = chars[last.end.min(span.start)..span.start]
                .iter()
                .all(|c| *c == ' ');
            if span.start < last.end
                || (span.mask == NAME_MASK && last.mask == NAME_MASK && gap_is_space)
            {
                last.end = last.end.max(span.end);
                continue;
            }
        }
        merged.push(span);
    }
    let mut out = String::with_capacity(chars.len());
    let mut at = 0;
    for span in merged {
        out.extend(&chars[at..span.start]);
        out.push_str(span.mask);
        at = span.end;
    }
    out.extend(&chars[at..]);
    out
}
