//! `balai demo`: a ready-to-try region "Kota Contoh" in a SQLite file.

use crate::config::Config;
use domain::{Channel, DeclineReason, IntakeInput, Role};
use rand::Rng;
use rand::seq::IndexedRandom;
use std::path::{Path, PathBuf};
use store::Db;
use store::org::{NewAgency, NewUser, RegionSettings};
use store::tickets::{ActionInput, NewTicket};

pub const DEMO_PASSWORD: &str = "demo-balai";

const AGENCIES: &[(&str, &str, &str)] = &[
    ("DISHUB", "Dinas Perhubungan", "agency"),
    ("DINKES", "Dinas Kesehatan", "agency"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "agency"),
    ("DISDIK", "Dinas Pendidikan", "agency"),
    ("DLH", "Dinas Lingkungan Hidup", "agency"),
    ("KEC-UTARA", "Kecamatan Contoh Utara", "subdistrict"),
];

const TEXTS: &[(&str, &str)] = &[
    (
        "DISHUB",
        "Lampu lalu lintas di simpang Jl. Merdeka – Jl. Sudirman mati sejak kemarin sore, sangat berbahaya.",
    ),
    (
        "DISHUB",
        "Banyak parkir liar di depan Pasar Baru sehingga jalan macet setiap pagi.",
    ),
    (
        "DISHUB",
        "Halte bus di Jl. Diponegoro atapnya bocor dan kursinya patah.",
    ),
    (
        "DISHUB",
        "Angkot jurusan Terminal–Kampus sering ngetem lama di tikungan.",
    ),
    (
        "DINKES",
        "Antrian di Puskesmas Contoh Utara sangat panjang, loket pendaftaran hanya satu yang buka.",
    ),
    (
        "DINKES",
        "Apakah vaksin untuk balita tersedia di posyandu RW 05 bulan ini?",
    ),
    (
        "DINKES",
        "Di lingkungan kami banyak warga terkena demam berdarah, mohon dilakukan fogging.",
    ),
    (
        "DPUPR",
        "Jalan di Kelurahan Sukamaju berlubang besar, sudah dua motor jatuh minggu ini.",
    ),
    (
        "DPUPR",
        "Saluran air di Jl. Kenanga tersumbat, setiap hujan rumah warga kebanjiran.",
    ),
    (
        "DPUPR",
        "Jembatan kecil di dekat SD Negeri 3 retak, mohon segera diperiksa.",
    ),
    (
        "DISDIK",
        "Bagaimana cara mendaftar beasiswa untuk siswa SMP dari keluarga tidak mampu?",
    ),
    (
        "DISDIK",
        "Ada pungutan uang seragam di sekolah negeri, apakah itu dibenarkan?",
    ),
    (
        "DISDIK",
        "Saran: perpustakaan sekolah sebaiknya buka juga hari Sabtu.",
    ),
    (
        "DLH",
        "Sampah menumpuk di TPS Jl. Melati sudah seminggu tidak diangkut dan berbau.",
    ),
    (
        "DLH",
        "Ada pabrik yang membuang limbah ke sungai di belakang perumahan kami.",
    ),
    (
        "DLH",
        "Pohon besar di taman kota miring dan dikhawatirkan tumbang saat hujan angin.",
    ),
    (
        "KEC-UTARA",
        "Pengurusan KTP di kantor kecamatan lama sekali, sudah tiga minggu belum jadi.",
    ),
    (
        "KEC-UTARA",
        "Informasi: jam layanan kantor kelurahan sekarang mulai pukul 08.00.",
    ),
    (
        "",
        "Terima kasih atas perbaikan jalan di depan rumah kami, sekarang lebih nyaman.",
    ),
    ("", "Mohon informasi jadwal pasar murah bulan depan."),
];

const ANSWERS: &[&str] = &[
    "Terima kasih atas laporannya. Petugas kami sudah meninjau lokasi dan perbaikan dijadwalkan minggu ini.",
    "Laporan sudah kami tindak lanjuti; tim lapangan telah menyelesaikan masalah tersebut.",
    "Informasi yang Anda minta tersedia di kantor kami setiap hari kerja pukul 08.00–15.00.",
    "Terima kasih atas sarannya, akan kami jadikan bahan evaluasi layanan.",
];

pub async fn run(file: Option<&PathBuf>, bind: String, data_dir: PathBuf) -> anyhow::Result<()> {
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", data_dir.display()))?;
    let path = data_dir.join("balai-demo.db");
    let mut config = match file {
        Some(f) => Config::load(Some(f)).map_err(anyhow::Error::msg)?,
        None => Config::default(),
    };
    config.database_url = format!("sqlite://{}", path.display());
    config.bind = bind;
    config.web.simulator = true;
    if config.gateway.is_empty() {
        // The simulated handset page talks to this gateway.
        config.gateway.push(sms::GatewayConfig {
            name: "dev".into(),
            kind: Some(sms::GatewayKind::Dev),
            default: true,
            ..Default::default()
        });
    }
    config.validate().map_err(anyhow::Error::msg)?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    if db.user_by_username("admin").await?.is_none() {
        println!("Menyiapkan data demo Kota Contoh di {} …", path.display());
        populate(&app::App::new(db.clone())).await?;
    }
    print_welcome(&config.bind, &path);
    crate::serve(config, db).await
}

fn print_welcome(bind: &str, path: &Path) {
    println!();
    println!("  Balai demo — Kota Contoh");
    println!("  Situs publik   : http://{bind}/");
    println!("  Masuk petugas  : http://{bind}/masuk");
    println!(
        "  Simulasi SMS   : http://{bind}/simulasi-sms  (mis. kirim: DISHUB lampu jalan mati)"
    );
    println!("  Basis data     : {}", path.display());
    println!("  Kata sandi semua akun demo: {DEMO_PASSWORD}");
    for (username, role) in DEMO_USERS.iter().map(|u| (u.0, u.2)) {
        println!("    {username:<20} {}", role.label_id());
    }
    println!("  Hentikan dengan Ctrl+C.");
    println!();
}

/// (username, full name, role, agency code)
const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("admin", "Admin Balai", Role::Admin, ""),
    ("sekretariat", "Siti Rahmawati", Role::Secretariat, "SETDA"),
    ("walikota", "H. Budi Santoso", Role::HeadOfRegion, ""),
    ("kadishub", "Ir. Agus Wibowo", Role::HeadOfAgency, "DISHUB"),
    (
        "penghubung.dishub",
        "Rina Kartika",
        Role::LiaisonOfficer,
        "DISHUB",
    ),
    ("staf.dishub", "Dedi Kurniawan", Role::Staff, "DISHUB"),
    ("operator.dishub", "Yusuf Hidayat", Role::Operator, "DISHUB"),
    ("kadinkes", "dr. Maya Lestari", Role::HeadOfAgency, "DINKES"),
    (
        "penghubung.dinkes",
        "Andi Saputra",
        Role::LiaisonOfficer,
        "DINKES",
    ),
    (
        "penghubung.dpupr",
        "Fajar Nugroho",
        Role::LiaisonOfficer,
        "DPUPR",
    ),
    (
        "penghubung.disdik",
        "Lina Marlina",
        Role::LiaisonOfficer,
        "DISDIK",
    ),
    (
        "penghubung.dlh",
        "Hendra Gunawan",
        Role::LiaisonOfficer,
        "DLH",
    ),
    (
        "penghubung.kec",
        "Nur Aini",
        Role::LiaisonOfficer,
        "KEC-UTARA",
    ),
];

async fn populate(db: &app::App) -> anyhow::Result<()> {
    db.update_region(&RegionSettings {
        name: "Pemerintah Kota Contoh".into(),
        timezone: "Asia/Jakarta".into(),
        logo_url: None,
    })
    .await?;
    let setda = db.agency_by_code("SETDA").await?;
    let mut setda_update = NewAgency {
        code: setda.code.clone(),
        name: "Sekretariat Daerah — Bagian Pengaduan".into(),
        kind: setda.kind.as_str().to_string(),
        parent_id: None,
        mechanism:
            "Aduan tanpa tujuan diteruskan ke OPD yang berwenang paling lambat 1 hari kerja.".into(),
    };
    db.update_agency(setda.id, &setda_update, true).await?;
    setda_update.parent_id = Some(setda.id);
    for (code, name, kind) in AGENCIES {
        let id = db
            .create_agency(&NewAgency {
                code: (*code).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                parent_id: None,
                mechanism: format!("Aduan untuk {name} ditangani Pejabat Penghubung dan dijawab paling lambat 5 hari kerja."),
            })
            .await?;
        let keyword = code.split('-').next().unwrap_or(code);
        db.create_keyword(keyword, id, &format!("Aduan untuk {name}"))
            .await?;
        let head = db
            .create_position(id, &format!("Kepala {name}"), None)
            .await?;
        db.create_position(id, "Pejabat Penghubung", Some(head))
            .await?;
    }
    for (alias, code) in [
        ("JALAN", "DPUPR"),
        ("SAMPAH", "DLH"),
        ("SEKOLAH", "DISDIK"),
        ("PUSKESMAS", "DINKES"),
        ("ANGKOT", "DISHUB"),
    ] {
        let agency = db.agency_by_code(code).await?;
        db.create_keyword(alias, agency.id, &format!("Alias untuk {}", agency.name))
            .await?;
    }
    let mut actors = std::collections::HashMap::new();
    for (username, full_name, role, agency) in DEMO_USERS {
        let agency_id = if agency.is_empty() {
            None
        } else {
            Some(db.agency_by_code(agency).await?.id)
        };
        let id = db
            .create_user(&NewUser {
                username: (*username).into(),
                password: DEMO_PASSWORD.into(),
                full_name: (*full_name).into(),
                role: role.as_str().into(),
                agency_id,
                email: Some(format!("{username}@kotacontoh.go.id")),
                phone: None,
                // Heads hold their agency's top position (for "Plh. Kepala …").
                position_id: match (role, agency_id) {
                    (Role::HeadOfAgency, Some(agency)) => db
                        .positions()
                        .await?
                        .into_iter()
                        .find(|p| p.agency_id == agency && p.parent_id.is_none())
                        .map(|p| p.id),
                    _ => None,
                },
            })
            .await?;
        actors.insert(
            *username,
            db.access_for(&db.user(id).await?, store::now_ms()).await?,
        );
    }
    let secretariat = &actors["sekretariat"];
    let liaison_of = |code: &str| match code {
        "DISHUB" => "penghubung.dishub",
        "DINKES" => "penghubung.dinkes",
        "DPUPR" => "penghubung.dpupr",
        "DISDIK" => "penghubung.disdik",
        "DLH" => "penghubung.dlh",
        _ => "penghubung.kec",
    };
    let mut rng = rand::rng();
    let now = store::now_ms();
    let day = 86_400_000i64;
    let names = [
        "Budi", "Sri", "Ahmad", "Dewi", "Joko", "Wati", "Rudi", "Yanti",
    ];
    for i in 0..200 {
        let (agency, text) = TEXTS[i % TEXTS.len()];
        let received = now - rng.random_range(0..90 * day);
        let routed = !agency.is_empty() && rng.random_bool(0.5);
        let channel = *[Channel::Web, Channel::Sms, Channel::App]
            .choose(&mut rng)
            .unwrap_or(&Channel::Web);
        let category = if text.contains('?') {
            "pertanyaan"
        } else if text.starts_with("Saran") {
            "saran"
        } else if text.starts_with("Informasi") {
            "informasi"
        } else {
            "pengaduan"
        };
        let intake = IntakeInput {
            category: Some(category.into()),
            text: Some(text.into()),
            agency_code: routed.then(|| agency.to_string()),
            reporter_name: rng
                .random_bool(0.7)
                .then(|| names.choose(&mut rng).unwrap_or(&"Warga").to_string()),
            reporter_phone: Some(format!("0812{:08}", rng.random_range(0..100_000_000))),
            reporter_email: (channel == Channel::Web).then(|| format!("warga{i}@contoh.id")),
            address: Some("Kota Contoh".into()),
            lat: Some(-6.2 + rng.random_range(-0.05..0.05)),
            long: Some(106.8 + rng.random_range(-0.05..0.05)),
            anonymous: rng.random_bool(0.15),
            confidential: rng.random_bool(0.05),
        }
        .validate(|_| true, |_| true)
        .map_err(|e| anyhow::anyhow!("demo data invalid: {e:?}"))?;
        let created = db
            .create_ticket(&NewTicket {
                intake,
                channel,
                idempotency_key: None,
                received_at: received,
            })
            .await?;
        let mut at = received;
        let mut step = |at: &mut i64| {
            *at = (*at + rng.random_range(day / 24..2 * day)).min(now - 1000);
            *at
        };
        // Age decides how far handling got; the most recent tickets are still waiting.
        let stage = if received > now - 2 * day {
            i % 2
        } else {
            i % 6
        };
        if stage == 0 || agency.is_empty() && stage < 2 {
            continue;
        }
        if !routed {
            let target = if agency.is_empty() {
                "KEC-UTARA"
            } else {
                agency
            };
            let input = ActionInput::Forward {
                agency_code: target.into(),
                note: "Mohon ditindaklanjuti.".into(),
            };
            db.apply_action_at(secretariat, created.id, &input, step(&mut at))
                .await?;
        }
        let target = if agency.is_empty() {
            "KEC-UTARA"
        } else {
            agency
        };
        let liaison = &actors[liaison_of(target)];
        let note = ActionInput::Note {
            body: "Sudah dikoordinasikan dengan petugas lapangan.".into(),
        };
        db.apply_action_at(liaison, created.id, &note, step(&mut at))
            .await?;
        match stage {
            2 => {
                let decline = ActionInput::Decline {
                    reason: DeclineReason::OutOfScope,
                    detail: "Kewenangan pemerintah provinsi.".into(),
                    duplicate_of: None,
                };
                db.apply_action_at(liaison, created.id, &decline, step(&mut at))
                    .await?;
            }
            3..=5 => {
                let answer = ActionInput::Answer {
                    body: ANSWERS[i % ANSWERS.len()].to_string(),
                };
                db.apply_action_at(liaison, created.id, &answer, step(&mut at))
                    .await?;
                if stage == 5 {
                    db.apply_action_at(
                        liaison,
                        created.id,
                        &ActionInput::Close {
                            note: String::new(),
                        },
                        step(&mut at),
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    dispositions(db, &actors, now).await?;
    workflow(db, &actors, now).await
}

/// Dinas Kesehatan follows the shipped *SOP Wadul*: one of its tickets has been disposed,
/// reviewed and drafted, and its answer waits for the head's approval.
async fn workflow(
    db: &app::App,
    actors: &std::collections::HashMap<&str, store::Access>,
    now: i64,
) -> anyhow::Result<()> {
    let dinkes = db.agency_by_code("DINKES").await?.id;
    let Some(sop) = db
        .workflow_templates()
        .await?
        .into_iter()
        .find(|t| t.name == "SOP Wadul")
    else {
        return Ok(());
    };
    db.update_workflow_template(
        sop.id,
        &store::workflow::TemplateInput {
            name: sop.name.clone(),
            agency_id: Some(dinkes),
            steps: sop.steps.clone(),
            ..Default::default()
        },
    )
    .await?;
    let minute = 60_000;
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(
            "Antrean pendaftaran di Puskesmas Contoh Utara sangat panjang, pasien lansia menunggu \
             lebih dari 3 jam."
                .into(),
        ),
        agency_code: Some("DINKES".into()),
        reporter_name: Some("Sri Wahyuni".into()),
        reporter_email: Some("sri.wahyuni@contoh.id".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .map_err(|e| anyhow::anyhow!("demo data invalid: {e:?}"))?;
    let id = db
        .create_ticket(&NewTicket {
            intake,
            channel: Channel::Web,
            idempotency_key: None,
            received_at: now - 180 * minute,
        })
        .await?
        .id;
    let head = &actors["kadinkes"];
    let liaison = &actors["penghubung.dinkes"];
    db.dispose_at(
        head,
        id,
        &store::dispositions::NewDisposition {
            recipients: vec![liaison.user().get()],
            instruction: "siapkan_jawaban".into(),
            note: "Cek ke puskesmas dan siapkan jawaban.".into(),
            ..Default::default()
        },
        now - 150 * minute,
    )
    .await?;
    db.complete_step_at(
        liaison,
        id,
        "Sudah dicek: petugas pendaftaran kurang dua orang.",
        now - 90 * minute,
    )
    .await?;
    db.draft_answer_at(
        liaison,
        id,
        "Terima kasih atas laporannya. Mulai pekan depan Puskesmas Contoh Utara membuka loket \
         khusus lansia dan menambah dua petugas pendaftaran.",
        now - 30 * minute,
    )
    .await?;
    Ok(())
}

/// A few dispositions down the Dinas Perhubungan chain (one reported, one disposed further)
/// and the head's Plh. from today, recorded by the admin.
async fn dispositions(
    db: &app::App,
    actors: &std::collections::HashMap<&str, store::Access>,
    now: i64,
) -> anyhow::Result<()> {
    use store::dispositions::NewDisposition;
    let head = &actors["kadishub"];
    let liaison = &actors["penghubung.dishub"];
    let staff = &actors["staf.dishub"];
    let open = db
        .list_tickets(
            head,
            &store::tickets::TicketFilter {
                status: Some("open".into()),
                agency_code: Some("DISHUB".into()),
                limit: 4,
                ..Default::default()
            },
        )
        .await?;
    let instructions = [
        "tindak_lanjuti",
        "siapkan_jawaban",
        "koordinasikan",
        "pelajari",
    ];
    for (i, ticket) in open.items.iter().enumerate() {
        let at = (ticket.received_at + 3_600_000).min(now - 60_000);
        let made = db
            .dispose_at(
                head,
                ticket.id,
                &NewDisposition {
                    recipients: vec![liaison.user().get(), staff.user().get()],
                    instruction: instructions[i % instructions.len()].into(),
                    note: "Mohon segera ditangani dan dilaporkan.".into(),
                    ..Default::default()
                },
                at,
            )
            .await?;
        match i {
            0 => {
                db.report_disposition_at(
                    staff,
                    made[1].id,
                    "Sudah dicek ke lokasi; perbaikan dijadwalkan besok.",
                    (at + 1_800_000).min(now - 1),
                )
                .await?;
            }
            1 => {
                db.dispose_at(
                    liaison,
                    ticket.id,
                    &NewDisposition {
                        recipients: vec![actors["operator.dishub"].user().get()],
                        instruction: "untuk_diketahui".into(),
                        ..Default::default()
                    },
                    (at + 600_000).min(now - 1),
                )
                .await?;
            }
            _ => {}
        }
    }
    let day = 86_400_000;
    db.create_delegation(
        &actors["admin"],
        &store::delegations::NewDelegation {
            delegator_id: head.user().get(),
            delegate_id: staff.user().get(),
            kind: "plh".into(),
            starts_at: now,
            ends_at: now + 3 * day,
            note: "Kepala dinas dinas luar".into(),
            basis: "Surat Perintah 800/17/2026".into(),
        },
    )
    .await?;
    Ok(())
}
