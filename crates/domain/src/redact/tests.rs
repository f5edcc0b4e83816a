//! One table per kind: what is masked (the planted value must be gone) and what is kept.

use super::*;

fn plain(text: &str) -> String {
    mask_personal_data(text, &[])
}

/// Each input must come out as expected.
fn check(cases: &[(&str, &str)], mask: impl Fn(&str) -> String) {
    for (input, expected) in cases {
        assert_eq!(&mask(input), expected, "input {input:?}");
    }
}

/// Each text must come out unchanged.
fn kept(texts: &[&str], mask: impl Fn(&str) -> String) {
    for text in texts {
        assert_eq!(&mask(text), text, "over-masked");
    }
}

#[test]
fn mobile_numbers() {
    check(
        &[
            (
                "Hubungi saya di 081234567890.",
                "Hubungi saya di [nomor telepon].",
            ),
            ("HP +62 812-3456-7890 ya", "HP [nomor telepon] ya"),
            ("wa 62812.3456.789", "wa [nomor telepon]"),
            (
                "telp 0812 3456 7890, terima kasih",
                "telp [nomor telepon], terima kasih",
            ),
            ("nomor (0859)58960471 aktif", "nomor [nomor telepon] aktif"),
            ("nomor +62 (896) 1234 5678", "nomor [nomor telepon]"),
            ("nomor 0062 812 3456 7890", "nomor [nomor telepon]"),
            ("nomor 0812/3456/7890", "nomor [nomor telepon]"),
            (
                "nomor 0812 \u{2013} 3456 \u{2013} 7890",
                "nomor [nomor telepon]",
            ),
            (
                "nomor 0812\u{00A0}3456\u{2009}7890",
                "nomor [nomor telepon]",
            ),
            ("nomor 0812 3456\n7890 ya", "nomor [nomor telepon] ya"),
            ("nomor o8l2-3456-789o", "nomor [nomor telepon]"),
            ("nomor ０８１２３４５６７８９０", "nomor [nomor telepon]"),
            ("tahun 2024 08123456789", "tahun 2024 [nomor telepon]"),
            ("WA 812 3456 7890", "WA [nomor telepon]"),
            (
                "dua nomor: 081234567890 / 085712345678",
                "dua nomor: [nomor telepon] / [nomor telepon]",
            ),
            (
                "nomor saya nol delapan satu dua tiga empat lima enam tujuh delapan sembilan",
                "nomor saya [nomor telepon]",
            ),
            (
                "hp kosong delapan 12 tiga empat 5678 90",
                "hp [nomor telepon]",
            ),
            ("(+62)81234567890", "[nomor telepon]"),
        ],
        plain,
    );
}

#[test]
fn landlines() {
    check(
        &[
            ("kantor (061) 5279424 tutup", "kantor [nomor telepon] tutup"),
            ("telp 021-555-1234", "telp [nomor telepon]"),
            ("telp 0274 512345", "telp [nomor telepon]"),
            ("+62 21 5551234", "[nomor telepon]"),
            ("rumah 0215551234", "rumah [nomor telepon]"),
        ],
        plain,
    );
}

#[test]
fn numbers_that_stay() {
    kept(
        &[
            "jam 08.30 tanggal 12-11-2026 Rp 1.500.000",
            "anggaran Rp 6.266.000.000 dan Rp6.266.000 serta Rp 62.500.000.000",
            "dana 6.266.000.000 rupiah",
            "layanan bebas pulsa 0800-1-500-500 dan 0804 1 500 000",
            "surat Nomor 800/1234/DISHUB/2026 dan No. 045.2/1234/2026",
            "sesuai UU Nomor 25 Tahun 2009 dan PP 96/2012",
            "petugas NIP 19850101 201001 1 001 dan NIP. 198501012010011001",
            "RT 003/RW 005, RT.03/RW.05 No. 12A",
            "tanggal 2026-11-12 pukul 10:30 s/d 16.00",
            "kode pos 20111, jarak 12 km, 150 meter",
            "call center 112 dan 1500-123",
        ],
        plain,
    );
}

#[test]
fn niks_and_npwps() {
    check(
        &[
            ("NIK 3201234567890001 hilang", "NIK [NIK] hilang"),
            ("NIK 3201 2345 6789 0001", "NIK [NIK]"),
            ("no KK 3201-2345-6789-0001", "no KK [NIK]"),
            ("KTP 320123456789\n0001 ya", "KTP [NIK] ya"),
            ("data 3201.2345.6789.0001", "data [NIK]"),
            ("NPWP 12.345.678.9-012.345", "NPWP [NPWP]"),
            ("npwp 123456789012345", "npwp [NPWP]"),
            ("NPWP baru 3201234567890001", "NPWP baru [NPWP]"),
        ],
        plain,
    );
}

#[test]
fn other_id_numbers_after_their_words() {
    check(
        &[
            (
                "rekening BRI 1234-01-567890-53-1 a.n. dia",
                "rekening BRI [nomor rekening] a.n. dia",
            ),
            ("no. rek 7654321098", "no. rek [nomor rekening]"),
            (
                "transfer ke BCA 123 456 7890",
                "transfer ke BCA [nomor rekening]",
            ),
            ("Mandiri: 1370012345678", "Mandiri: [nomor rekening]"),
            ("kartu BPJS 0001234567890", "kartu BPJS [nomor identitas]"),
            (
                "BPJS Kesehatan no 0001234567890",
                "BPJS Kesehatan no [nomor identitas]",
            ),
            ("SIM A 1234-5678-901234", "SIM A [nomor identitas]"),
            ("paspor B1234567", "paspor [nomor identitas]"),
            ("nomor paspor: X 1234567", "nomor paspor: [nomor identitas]"),
        ],
        plain,
    );
    kept(
        &[
            "rekening ditutup tanggal 12-11-2026",
            "BPJS menanggung 80 persen",
        ],
        plain,
    );
}

#[test]
fn emails() {
    check(
        &[
            ("email budi.s@contoh.go.id.", "email [email]."),
            (
                "tulis ke a_b+c@mail.example.com sekarang",
                "tulis ke [email] sekarang",
            ),
            ("budi[at]gmail[dot]com", "[email]"),
            ("budi (at) gmail (dot) com ya", "[email] ya"),
            ("budi at gmail dot com", "[email]"),
            ("budi at yahoo.co.id", "[email]"),
            ("budi @ gmail . com", "[email]"),
            ("budi＠gmail．com", "[email]"),
            ("budi@gmail,com", "[email]"),
            ("budi.santoso [at] mail [titik] desa [titik] id", "[email]"),
            ("budi dot santoso at gmail dot com", "[email]"),
            ("kirim ke budi@gmail saja", "kirim ke [email] saja"),
            ("budi@gmail.com, lalu saya", "[email], lalu saya"),
            ("kode @ budi@gmail.com", "kode @ [email]"),
        ],
        plain,
    );
    kept(
        &[
            "kode @ saja dan a@b",
            "ketemu at home",
            "rapat at kantor dot besar",
        ],
        plain,
    );
}

#[test]
fn tracking_codes_and_register_numbers() {
    let reporter = Reporter {
        codes: vec!["ABCDEFGHJK".into(), "DISHUB/2026/000123".into()],
        ..Reporter::default()
    };
    let r = Redactor::new(&reporter, Settings::default(), &[]);
    check(
        &[
            ("kode lacak ABCDEFGHJK", "kode lacak [kode aduan]"),
            ("lihat /lacak/abcdefghjk ya", "lihat /lacak/[kode aduan] ya"),
            ("kode ABCDE-FGHJK", "kode [kode aduan]"),
            ("kode ABC DEF GHJK", "kode [kode aduan]"),
            ("aduan lain 7XK2M9QPTA", "aduan lain [kode aduan]"),
            ("register DISHUB/2026/000123", "register [kode aduan]"),
            ("register DISHUB-2026-000123", "register [kode aduan]"),
            ("juga DINKES/2025/004321", "juga [kode aduan]"),
        ],
        |t| r.mask(t),
    );
    kept(&["PEREMPATAN jalan", "surat 800/1234/DISHUB/2026"], |t| {
        r.mask(t)
    });
}

#[test]
fn reporter_identity_in_every_form() {
    let reporter = Reporter {
        names: vec!["Ibu Sari Muhammad Rizky".into()],
        phones: vec!["+62 812-3456-7890".into()],
        emails: vec!["Budi.Santoso88@Mail.ID".into()],
        codes: vec![],
    };
    let r = Redactor::new(&reporter, Settings::default(), &[]);
    check(
        &[
            ("Terima kasih Ibu Sari.", "Terima kasih Ibu [nama]."),
            (
                "ibu sari sudah kami hubungi",
                "ibu [nama] sudah kami hubungi",
            ),
            ("sari buah dan ibu-ibu lain", "sari buah dan ibu-ibu lain"),
            ("Bapak Muhamad Rizki", "Bapak [nama]"),
            ("MUHAMMAD RIZKY datang", "[nama] datang"),
            ("kirim ke 812 3456 7890", "kirim ke [nomor telepon]"),
            ("email budi.santoso88@mail.id", "email [email]"),
            ("akun budi.santoso88 di sana", "akun [email] di sana"),
        ],
        |t| r.mask(t),
    );
    let accented = Redactor::new(
        &Reporter {
            names: vec!["André Wijaya".into()],
            ..Reporter::default()
        },
        Settings::default(),
        &[],
    );
    check(
        &[(
            "pesan untuk ANDRE dan andre",
            "pesan untuk [nama] dan [nama]",
        )],
        |t| accented.mask(t),
    );
}

#[test]
fn names_that_are_ordinary_words() {
    let r = Redactor::new(
        &Reporter {
            names: vec!["Bagus".into()],
            ..Reporter::default()
        },
        Settings::default(),
        &[],
    );
    check(
        &[
            ("tidak bagus sama sekali", "tidak bagus sama sekali"),
            ("Jalan ini Bagus", "Jalan ini Bagus"),
            ("Terima kasih Pak Bagus", "Terima kasih Pak [nama]"),
            ("Saya Bagus, warga RT 2", "Saya [nama], warga RT 2"),
        ],
        |t| r.mask(t),
    );
}

#[test]
fn self_introductions() {
    let question = "Selamat pagi, saya Budi Santoso warga Medan. Nama saya juga tercatat.";
    let r = Redactor::new(&Reporter::default(), Settings::default(), &[question]);
    check(
        &[
            (
                question,
                "Selamat pagi, saya [nama] warga Medan. Nama saya juga tercatat.",
            ),
            (
                "Terima kasih Bapak Budi Santoso",
                "Terima kasih Bapak [nama]",
            ),
            (
                "nama saya adalah siti aminah dan saya",
                "nama saya adalah [nama] dan saya",
            ),
            (
                "Perkenalkan, saya Rahmat Hidayat.",
                "Perkenalkan, saya [nama].",
            ),
            ("atas nama Joko Widodo", "atas nama [nama]"),
            ("saya ingin melapor", "saya ingin melapor"),
            ("SAYA SANGAT KECEWA", "SAYA SANGAT KECEWA"),
        ],
        |t| r.mask(t),
    );
}

#[test]
fn optional_kinds_only_when_switched_on() {
    let text = "Pak Joko di Jl. Merdeka Raya No. 12, motor B 1234 XYZ, ig @joko_w";
    assert_eq!(plain(text), text);
    let all = Settings {
        addresses: true,
        plates: true,
        handles: true,
        third_party_names: true,
    };
    let r = Redactor::new(&Reporter::default(), all, &[]);
    assert_eq!(
        r.mask(text),
        "Pak [nama] di [alamat], motor [pelat nomor], ig [akun media sosial]"
    );
    check(
        &[
            (
                "Pak Lurah dan Ibu Kepala Dinas",
                "Pak Lurah dan Ibu Kepala Dinas",
            ),
            ("lihat instagram.com/budi.s", "lihat [akun media sosial]"),
            ("RT 3 RW 5", "RT 3 RW 5"),
        ],
        |t| r.mask(t),
    );
}

#[test]
fn public_names() {
    assert_eq!(public_name("Budi Santoso").as_deref(), Some("Budi S."));
    assert_eq!(
        public_name("  siti  nur aminah ").as_deref(),
        Some("siti N. A.")
    );
    assert_eq!(public_name("Ani").as_deref(), Some("A."));
    assert_eq!(public_name("Ibu Sari Dewi").as_deref(), Some("Sari D."));
    assert_eq!(public_name("Bapak Bagus").as_deref(), Some("B."));
    assert_eq!(public_name("   "), None);
}

#[test]
fn masks_are_stable() {
    let reporter = Reporter {
        names: vec!["Nama Bagus".into()],
        phones: vec!["08123456789".into()],
        emails: vec!["x@y.co".into()],
        codes: vec!["ABCDEFGHJK".into()],
    };
    let r = Redactor::new(&reporter, Settings::default(), &[]);
    let once =
        r.mask("Nama saya Nama, email x@y.co, HP 0812345678901 12345678 Pak Bagus ABCDEFGHJK");
    assert_eq!(r.mask(&once), once);
}
