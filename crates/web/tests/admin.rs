//! The admin pages over real HTTP, on SQLite and PostgreSQL: region settings, agencies,
//! positions, users and categories, and that only admins get in.

mod common;

use common::{get, get_html, login, post, post_invalid, post_ok, spawn_apps, try_login};

#[tokio::test]
async fn only_admins_reach_the_admin_pages() {
    for app in spawn_apps().await {
        let anonymous = get(&app, "", "/admin").await;
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/masuk");

        for username in ["sekretariat", "kadishub", "operator.dishub"] {
            let cookie = login(&app, username).await;
            for path in [
                "/admin",
                "/admin/opd",
                "/admin/opd/1",
                "/admin/jabatan",
                "/admin/pengguna",
                "/admin/pengguna/1",
                "/admin/kategori",
            ] {
                assert_eq!(
                    get(&app, &cookie, path).await.status(),
                    403,
                    "{username} GET {path}"
                );
            }
            let staf = get_html(&app, &cookie, "/staf").await;
            assert!(
                !staf.contains("href=\"/admin\""),
                "no admin link for {username}"
            );
        }

        let cookie = login(&app, "sekretariat").await;
        let forbidden = [
            (
                "/admin/wilayah",
                vec![("name", "Dibajak"), ("timezone", "Asia/Jakarta")],
            ),
            (
                "/admin/opd",
                vec![("code", "JAHAT"), ("name", "OPD Jahat"), ("kind", "agency")],
            ),
            (
                "/admin/pengguna",
                vec![
                    ("username", "penyusup"),
                    ("full_name", "Penyusup"),
                    ("role", "admin"),
                    ("password", "kata-sandi-panjang"),
                ],
            ),
            (
                "/admin/kategori",
                vec![("code", "jahat"), ("name", "Jahat")],
            ),
        ];
        for (path, form) in forbidden {
            assert_eq!(
                post(&app, &cookie, path, &form).await.status(),
                403,
                "POST {path}"
            );
        }
        assert_eq!(app.db.region().await.unwrap().name, "Pemerintah Daerah");
        assert!(app.db.agency_by_code("JAHAT").await.is_err());
        assert!(app.db.user_by_username("penyusup").await.unwrap().is_none());
        assert!(
            !app.db
                .categories()
                .await
                .unwrap()
                .iter()
                .any(|c| c.code == "jahat")
        );

        let admin = login(&app, "admin").await;
        let staf = get_html(&app, &admin, "/staf").await;
        assert!(staf.contains("href=\"/admin\""), "admin sees the link");
        let page = get_html(&app, &admin, "/admin").await;
        for link in [
            "/admin/opd",
            "/admin/jabatan",
            "/admin/pengguna",
            "/admin/kategori",
        ] {
            assert!(page.contains(&format!("href=\"{link}\"")), "{link} linked");
        }
    }
}

#[tokio::test]
async fn admin_updates_the_region_settings() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin").await;
        assert!(page.contains("Pemerintah Daerah"));
        for zone in ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] {
            assert!(page.contains(&format!("value=\"{zone}\"")));
        }

        post_ok(
            &app,
            &admin,
            "/admin/wilayah",
            &[
                ("name", "  Pemerintah Kota <Contoh>  "),
                ("timezone", "Asia/Makassar"),
                ("logo_url", "https://contoh.go.id/logo.png"),
            ],
            "/admin?ok=wilayah",
        )
        .await;
        let region = app.db.region().await.unwrap();
        assert_eq!(region.name, "Pemerintah Kota <Contoh>");
        assert_eq!(region.timezone, "Asia/Makassar");
        assert_eq!(
            region.logo_url.as_deref(),
            Some("https://contoh.go.id/logo.png")
        );
        let page = get_html(&app, &admin, "/admin?ok=wilayah").await;
        assert!(page.contains("Pengaturan wilayah disimpan."));
        assert!(
            page.contains("Pemerintah Kota &#60;Contoh&#62;")
                || page.contains("Pemerintah Kota &lt;Contoh&gt;")
        );
        assert!(!page.contains("<Contoh>"));
        assert!(page.contains("value=\"Asia/Makassar\" selected"));

        let bad_zone = post_invalid(
            &app,
            &admin,
            "/admin/wilayah",
            &[
                ("name", "Kota Lain"),
                ("timezone", "Europe/Berlin"),
                ("logo_url", ""),
            ],
        )
        .await;
        assert!(bad_zone.contains("pilih zona waktu WIB, WITA atau WIT"));
        assert!(bad_zone.contains("Kota Lain"), "the input is kept");
        let bad = post_invalid(
            &app,
            &admin,
            "/admin/wilayah",
            &[
                ("name", " "),
                ("timezone", "Asia/Jayapura"),
                ("logo_url", "javascript:alert(1)"),
            ],
        )
        .await;
        assert!(bad.contains("nama wilayah wajib diisi"));
        assert!(bad.contains("URL logo harus diawali http:// atau https://"));
        assert!(!bad.contains("src=\"javascript:"));
        assert_eq!(
            app.db.region().await.unwrap().name,
            "Pemerintah Kota <Contoh>"
        );

        // Clearing the logo is allowed.
        post_ok(
            &app,
            &admin,
            "/admin/wilayah",
            &[
                ("name", "Kota Contoh"),
                ("timezone", "Asia/Jayapura"),
                ("logo_url", ""),
            ],
            "/admin?ok=wilayah",
        )
        .await;
        let region = app.db.region().await.unwrap();
        assert_eq!(
            (region.timezone.as_str(), region.logo_url),
            ("Asia/Jayapura", None)
        );
    }
}

#[tokio::test]
async fn admin_manages_the_agency_tree() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        post_ok(
            &app,
            &admin,
            "/admin/opd",
            &[
                ("code", " dislh "),
                ("name", "Dinas Lingkungan <Hidup>"),
                ("kind", "agency"),
                ("parent_id", ""),
                ("mechanism", "Aduan ditangani dalam 5 hari kerja."),
            ],
            "/admin/opd?ok=opd-baru",
        )
        .await;
        let dislh = app.db.agency_by_code("DISLH").await.unwrap();
        assert!(dislh.active);
        assert_eq!(dislh.mechanism, "Aduan ditangani dalam 5 hari kerja.");
        let dislh_id = dislh.id.to_string();

        let page = get_html(&app, &admin, "/admin/opd?ok=opd-baru").await;
        assert!(page.contains("OPD ditambahkan."));
        assert!(page.contains("<code>DISLH</code>"));
        assert!(
            page.contains("Dinas Lingkungan &#60;Hidup&#62;")
                || page.contains("Dinas Lingkungan &lt;Hidup&gt;")
        );
        assert!(!page.contains("<Hidup>"));
        // The public form offers it straight away (the catalog cache is invalidated).
        let public = get_html(&app, "", "/").await;
        assert!(public.contains("value=\"DISLH\""));

        // A unit below it is shown under its parent.
        post_ok(
            &app,
            &admin,
            "/admin/opd",
            &[
                ("code", "UPT-LH"),
                ("name", "UPT Persampahan"),
                ("kind", "agency"),
                ("parent_id", &dislh_id),
            ],
            "/admin/opd?ok=opd-baru",
        )
        .await;
        let upt = app.db.agency_by_code("UPT-LH").await.unwrap();
        assert_eq!(upt.parent_id, Some(dislh.id));
        let page = get_html(&app, &admin, "/admin/opd").await;
        let (at_parent, at_child) = (
            page.find("<code>DISLH</code>").unwrap(),
            page.find("<code>UPT-LH</code>").unwrap(),
        );
        assert!(at_parent < at_child, "child listed after its parent");
        assert!(page.contains("class=\"tree-1\""), "child indented");

        // A duplicate code is a message on the form, not an error page.
        let duplicate = post_invalid(
            &app,
            &admin,
            "/admin/opd",
            &[
                ("code", "DISHUB"),
                ("name", "Dinas Perhubungan Lagi"),
                ("kind", "agency"),
            ],
        )
        .await;
        assert!(duplicate.contains("kode OPD sudah ada"));
        assert!(
            duplicate.contains("Dinas Perhubungan Lagi"),
            "the input is kept"
        );
        let invalid = post_invalid(
            &app,
            &admin,
            "/admin/opd",
            &[
                ("code", "X"),
                ("name", ""),
                ("kind", "kerajaan"),
                ("parent_id", "99999"),
            ],
        )
        .await;
        for message in [
            "kode OPD 2–20 karakter",
            "nama OPD wajib diisi",
            "pilih jenis OPD",
            "OPD induk tidak ditemukan",
        ] {
            assert!(invalid.contains(message), "{message}");
        }

        // Editing: no cycles, and a duplicate code on edit is also a form message.
        let edit = get_html(&app, &admin, &format!("/admin/opd/{dislh_id}")).await;
        assert!(edit.contains("Aduan ditangani dalam 5 hari kerja."));
        assert!(
            edit.contains("data-confirm-unchecked=\"active\""),
            "deactivating asks first"
        );
        assert!(
            !edit.contains(&format!("<option value=\"{}\"", upt.id)),
            "own subtree not offered as parent"
        );
        let upt_id = upt.id.to_string();
        let cycle = post_invalid(
            &app,
            &admin,
            &format!("/admin/opd/{dislh_id}"),
            &[
                ("code", "DISLH"),
                ("name", "Dinas LH"),
                ("kind", "agency"),
                ("parent_id", &upt_id),
                ("active", "on"),
            ],
        )
        .await;
        assert!(cycle.contains("induk tidak boleh OPD ini sendiri atau OPD di bawahnya"));
        let taken = post_invalid(
            &app,
            &admin,
            &format!("/admin/opd/{dislh_id}"),
            &[
                ("code", "DINKES"),
                ("name", "Dinas LH"),
                ("kind", "agency"),
                ("active", "on"),
            ],
        )
        .await;
        assert!(taken.contains("kode OPD sudah ada"));

        // Deactivating removes it from the public form.
        post_ok(
            &app,
            &admin,
            &format!("/admin/opd/{dislh_id}"),
            &[
                ("code", "DISLH"),
                ("name", "Dinas Lingkungan Hidup"),
                ("kind", "agency"),
                ("mechanism", ""),
            ],
            "/admin/opd?ok=opd",
        )
        .await;
        let dislh = app.db.agency_by_code("DISLH").await.unwrap();
        assert!(!dislh.active);
        assert_eq!(dislh.name, "Dinas Lingkungan Hidup");
        let public = get_html(&app, "", "/").await;
        assert!(!public.contains("value=\"DISLH\""));
        assert!(
            get_html(&app, &admin, "/admin/opd")
                .await
                .contains("nonaktif")
        );

        assert_eq!(get(&app, &admin, "/admin/opd/99999").await.status(), 404);
    }
}

#[tokio::test]
async fn admin_manages_positions() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let dishub = app
            .db
            .agency_by_code("DISHUB")
            .await
            .unwrap()
            .id
            .to_string();
        let dinkes = app
            .db
            .agency_by_code("DINKES")
            .await
            .unwrap()
            .id
            .to_string();
        post_ok(
            &app,
            &admin,
            "/admin/jabatan",
            &[
                ("name", "Kepala Dinas Perhubungan"),
                ("agency_id", &dishub),
                ("parent_id", ""),
            ],
            &format!("/admin/jabatan?ok=jabatan&opd={dishub}"),
        )
        .await;
        let head = app.db.positions().await.unwrap()[0].id.to_string();
        post_ok(
            &app,
            &admin,
            "/admin/jabatan",
            &[
                ("name", "Kepala Bidang Lalu Lintas"),
                ("agency_id", &dishub),
                ("parent_id", &head),
            ],
            &format!("/admin/jabatan?ok=jabatan&opd={dishub}"),
        )
        .await;
        let page = get_html(&app, &admin, "/admin/jabatan").await;
        assert!(
            page.contains("Kepala Dinas Perhubungan") && page.contains("Kepala Bidang Lalu Lintas")
        );

        let wrong = post_invalid(
            &app,
            &admin,
            "/admin/jabatan",
            &[
                ("name", "Kepala Seksi"),
                ("agency_id", &dinkes),
                ("parent_id", &head),
            ],
        )
        .await;
        assert!(wrong.contains("jabatan atasan harus dari OPD yang sama"));
        let empty = post_invalid(
            &app,
            &admin,
            "/admin/jabatan",
            &[("name", ""), ("agency_id", "")],
        )
        .await;
        assert!(empty.contains("nama jabatan wajib diisi") && empty.contains("pilih OPD"));
        assert_eq!(app.db.positions().await.unwrap().len(), 2);

        // A user can hold a position of their own agency only.
        let bad = post_invalid(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "dokter.andi"),
                ("full_name", "Andi"),
                ("role", "staff"),
                ("agency_id", &dinkes),
                ("position_id", &head),
                ("password", "kata-sandi-baru"),
            ],
        )
        .await;
        assert!(bad.contains("jabatan harus dari OPD yang dipilih"));
        post_ok(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "kadis.baru"),
                ("full_name", "Kadis Baru"),
                ("role", "head_of_agency"),
                ("agency_id", &dishub),
                ("position_id", &head),
                ("password", "kata-sandi-baru"),
            ],
            "/admin/pengguna?ok=pengguna-baru",
        )
        .await;
        let user = app
            .db
            .user_by_username("kadis.baru")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.position_id.map(|p| p.to_string()), Some(head));
    }
}

#[tokio::test]
async fn admin_manages_users_and_roles() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let dishub = app
            .db
            .agency_by_code("DISHUB")
            .await
            .unwrap()
            .id
            .to_string();
        let page = get_html(&app, &admin, "/admin/pengguna").await;
        assert!(
            page.contains("<code>penghubung.dishub</code>") && page.contains("Pejabat Penghubung")
        );
        let filtered = get_html(&app, &admin, "/admin/pengguna?q=DISHUB").await;
        assert!(filtered.contains("<code>operator.dishub</code>"));
        assert!(!filtered.contains("<code>penghubung.dinkes</code>"));

        post_ok(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "budi.dishub"),
                ("full_name", "Budi <Santoso>"),
                ("role", "staff"),
                ("agency_id", &dishub),
                ("email", "budi@contoh.go.id"),
                ("phone", "0812-3456-7890"),
                ("password", "kata-sandi-budi"),
            ],
            "/admin/pengguna?ok=pengguna-baru",
        )
        .await;
        let budi = app
            .db
            .user_by_username("budi.dishub")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(budi.phone.as_deref(), Some("+6281234567890"));
        let listed = get_html(&app, &admin, "/admin/pengguna?ok=pengguna-baru&q=budi").await;
        assert!(
            listed.contains("Pengguna ditambahkan.") && listed.contains("<code>budi.dishub</code>")
        );
        assert!(!listed.contains("<Santoso>"));
        assert!(!listed.contains("kata-sandi-budi"));

        // The new user can log in and sees their agency's inbox.
        let budi_cookie = try_login(&app, "budi.dishub", "kata-sandi-budi")
            .await
            .expect("budi logs in");
        assert_eq!(get(&app, &budi_cookie, "/staf").await.status(), 200);
        assert_eq!(get(&app, &budi_cookie, "/admin").await.status(), 403);

        // Bad input is shown on the form, never a server error.
        let bad = post_invalid(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "Budi Salah"),
                ("full_name", " "),
                ("role", "raja"),
                ("email", "bukan-email"),
                ("phone", "12ab"),
                ("password", "pendek"),
            ],
        )
        .await;
        for message in [
            "nama pengguna 3–40 karakter",
            "nama lengkap wajib diisi",
            "pilih peran",
            "alamat email tidak valid",
            "nomor telepon tidak valid",
            "kata sandi minimal 8 karakter",
        ] {
            assert!(bad.contains(message), "{message}");
        }
        let no_agency = post_invalid(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "op.tanpa"),
                ("full_name", "Operator"),
                ("role", "operator"),
                ("password", "kata-sandi-baru"),
            ],
        )
        .await;
        assert!(no_agency.contains("peran ini wajib memilih OPD"));
        let duplicate = post_invalid(
            &app,
            &admin,
            "/admin/pengguna",
            &[
                ("username", "admin"),
                ("full_name", "Admin Kedua"),
                ("role", "admin"),
                ("password", "kata-sandi-baru"),
            ],
        )
        .await;
        assert!(duplicate.contains("nama pengguna sudah ada"));

        // Editing: an empty password keeps the old one; a role change applies.
        let budi_path = format!("/admin/pengguna/{}", budi.id);
        let edit = get_html(&app, &admin, &budi_path).await;
        assert!(edit.contains("budi@contoh.go.id") && edit.contains("value=\"staff\" selected"));
        assert!(
            edit.contains("data-confirm-unchecked=\"active\""),
            "deactivating asks first"
        );
        post_ok(
            &app,
            &admin,
            &budi_path,
            &[
                ("full_name", "Budi Santoso"),
                ("role", "liaison_officer"),
                ("agency_id", &dishub),
                ("password", ""),
                ("active", "on"),
            ],
            "/admin/pengguna?ok=pengguna",
        )
        .await;
        let updated = app.db.user(budi.id).await.unwrap();
        assert_eq!(
            (updated.role.as_str(), updated.full_name.as_str()),
            ("liaison_officer", "Budi Santoso")
        );
        assert_eq!(updated.email, None);
        assert!(
            try_login(&app, "budi.dishub", "kata-sandi-budi")
                .await
                .is_some()
        );
        let short = post_invalid(
            &app,
            &admin,
            &budi_path,
            &[
                ("full_name", "Budi"),
                ("role", "staff"),
                ("agency_id", &dishub),
                ("password", "pendek"),
                ("active", "on"),
            ],
        )
        .await;
        assert!(short.contains("kata sandi minimal 8 karakter"));

        // Deactivating ends the user's sessions and blocks new logins.
        post_ok(
            &app,
            &admin,
            &budi_path,
            &[
                ("full_name", "Budi Santoso"),
                ("role", "liaison_officer"),
                ("agency_id", &dishub),
            ],
            "/admin/pengguna?ok=pengguna",
        )
        .await;
        let gone = get(&app, &budi_cookie, "/staf").await;
        assert_eq!(gone.status(), 303);
        assert_eq!(gone.headers()["location"], "/masuk");
        assert!(
            try_login(&app, "budi.dishub", "kata-sandi-budi")
                .await
                .is_none()
        );

        // The admin cannot lock themselves out.
        let me = app.db.user_by_username("admin").await.unwrap().unwrap();
        let self_edit = post_invalid(
            &app,
            &admin,
            &format!("/admin/pengguna/{}", me.id),
            &[("full_name", "Admin"), ("role", "secretariat")],
        )
        .await;
        assert!(self_edit.contains("Anda tidak dapat menonaktifkan akun sendiri"));
        assert!(self_edit.contains("Anda tidak dapat mengubah peran akun sendiri"));
        assert_eq!(get(&app, &admin, "/admin").await.status(), 200);
        assert_eq!(
            get(&app, &admin, "/admin/pengguna/99999").await.status(),
            404
        );
    }
}

#[tokio::test]
async fn admin_manages_categories() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/kategori").await;
        assert!(page.contains("<code>pengaduan</code>"));
        post_ok(
            &app,
            &admin,
            "/admin/kategori",
            &[
                ("mode", "baru"),
                ("code", "apresiasi"),
                ("name", "Apresiasi"),
                ("active", "on"),
                ("sort_order", "5"),
            ],
            "/admin/kategori?ok=kategori",
        )
        .await;
        assert!(
            get_html(&app, "", "/")
                .await
                .contains("value=\"apresiasi\"")
        );

        let duplicate = post_invalid(
            &app,
            &admin,
            "/admin/kategori",
            &[
                ("mode", "baru"),
                ("code", "pengaduan"),
                ("name", "Pengaduan Lain"),
                ("active", "on"),
            ],
        )
        .await;
        assert!(duplicate.contains("kode kategori sudah ada"));
        let bad = post_invalid(
            &app,
            &admin,
            "/admin/kategori",
            &[
                ("mode", "baru"),
                ("code", "Kritik Keras"),
                ("name", ""),
                ("sort_order", "abc"),
            ],
        )
        .await;
        assert!(
            bad.contains("kode kategori 2–30 huruf kecil")
                && bad.contains("nama kategori wajib diisi")
        );
        assert!(bad.contains("urutan harus angka"));

        let edit = get_html(&app, &admin, "/admin/kategori?ubah=apresiasi").await;
        assert!(edit.contains("Ubah kategori") && edit.contains("value=\"Apresiasi\""));
        post_ok(
            &app,
            &admin,
            "/admin/kategori",
            &[
                ("mode", "ubah"),
                ("code", "apresiasi"),
                ("name", "Apresiasi & Pujian"),
                ("sort_order", "6"),
            ],
            "/admin/kategori?ok=kategori",
        )
        .await;
        let category = app
            .db
            .categories()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.code == "apresiasi")
            .unwrap();
        assert_eq!(
            (category.name.as_str(), category.active, category.sort_order),
            ("Apresiasi & Pujian", false, 6)
        );
        assert!(
            !get_html(&app, "", "/")
                .await
                .contains("value=\"apresiasi\"")
        );
    }
}

#[tokio::test]
async fn the_admin_sets_working_hours_and_imports_holidays() {
    for app in spawn_apps().await {
        let staff = login(&app, "kadishub").await;
        assert_eq!(get(&app, &staff, "/admin/kalender").await.status(), 403);
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/kalender").await;
        assert!(page.contains("WIB") && page.contains("3wh"));

        let refused = post_invalid(
            &app,
            &admin,
            "/admin/kalender",
            &[
                ("working_week", "sen-kam 13:00-12:00"),
                ("answer_within_sms", "3wh"),
                ("answer_within", "5wd"),
            ],
        )
        .await;
        assert!(refused.contains("working_week"), "{refused}");
        post_ok(
            &app,
            &admin,
            "/admin/kalender",
            &[
                ("working_week", "sen-jum 08:00-16:00"),
                ("answer_within_sms", "2wh"),
                ("answer_within", "3wd"),
            ],
            "/admin/kalender?ok=jam-kerja",
        )
        .await;
        assert_eq!(
            app.db.calendar_settings().await.unwrap().answer_within_sms,
            "2wh"
        );

        let refused = post_invalid(
            &app,
            &admin,
            "/admin/kalender/libur",
            &[("file", "date,name\n2026-13-01,Salah\n")],
        )
        .await;
        assert!(refused.contains("line 2"), "{refused}");
        post_ok(
            &app,
            &admin,
            "/admin/kalender/libur",
            &[(
                "file",
                "date,name\n2026-12-24,Cuti bersama Natal\n2026-12-25,Hari Raya Natal\n",
            )],
            "/admin/kalender?impor=2&baru=2",
        )
        .await;
        post_ok(
            &app,
            &admin,
            "/admin/kalender/libur",
            &[("day", "2026-12-31"), ("name", "Cuti bersama")],
            "/admin/kalender?ok=libur",
        )
        .await;
        let page = get_html(&app, &admin, "/admin/kalender?impor=2&baru=2").await;
        assert!(page.contains("2 hari libur dibaca dari berkas, 2 baru."));
        assert!(page.contains("Hari Raya Natal") && page.contains("2026-12-31"));

        // The checker: Wednesday 23 Dec 15:00 + 2 working hours skips the two holidays.
        let page = get_html(
            &app,
            &admin,
            "/admin/kalender?mulai=2026-12-23T15%3A00&tambah=2wh",
        )
        .await;
        assert!(
            page.contains("Jatuh tempo: 28 Des 2026 09:00 WIB"),
            "{page}"
        );

        post_ok(
            &app,
            &admin,
            "/admin/kalender/libur/hapus",
            &[("day", "2026-12-31")],
            "/admin/kalender?ok=hapus",
        )
        .await;
        assert_eq!(app.db.holidays().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn officials_choose_how_they_are_notified() {
    for app in spawn_apps().await {
        let cookie = login(&app, "penghubung.dishub").await;
        let page = get_html(&app, &cookie, "/staf/profil").await;
        assert!(page.contains("Jam tenang"));
        let refused = post_invalid(
            &app,
            &cookie,
            "/staf/profil",
            &[("phone", "12"), ("sms", "on")],
        )
        .await;
        assert!(refused.contains("phone"), "{refused}");
        post_ok(
            &app,
            &cookie,
            "/staf/profil",
            &[
                ("email", "penghubung@contoh.go.id"),
                ("phone", "0812 3456 7890"),
                ("sms", "on"),
                ("quiet_from", "21:00"),
                ("quiet_to", "06:00"),
            ],
            "/staf/profil?ok=1",
        )
        .await;
        let user = app
            .db
            .user_by_username("penghubung.dishub")
            .await
            .unwrap()
            .unwrap();
        let saved = app.db.preferences(user.id).await.unwrap();
        assert_eq!(saved.notify_channels, "sms");
        assert_eq!(saved.phone.as_deref(), Some("+6281234567890"));
        assert_eq!(saved.quiet_hours.as_deref(), Some("21:00-06:00"));
        let page = get_html(&app, &cookie, "/staf/profil?ok=1").await;
        assert!(page.contains("Profil disimpan.") && page.contains("value=\"21:00\""));
    }
}
