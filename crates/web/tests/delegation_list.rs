//! Who sees which Plt./Plh. delegations on "Profil saya", on SQLite and PostgreSQL: an
//! agency's operator sees the delegations of its positions (those they record and may end) and
//! no other agency's; an official sees only those where they delegate or stand in; the
//! administrator sees all.

mod common;

use common::{PASSWORD, TestApp, get_html, login, post_ok, spawn_apps};
use store::delegations::NewDelegation;
use store::org::NewUser;

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.db
        .user_by_username(username)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"))
        .id
}

async fn add_official(app: &TestApp, username: &str, role: &str, agency: &str) -> i64 {
    let agency = app.db.agency_by_code(agency).await.unwrap();
    app.db
        .create_user(&NewUser {
            username: username.into(),
            password: PASSWORD.into(),
            full_name: format!("Pengguna {username}"),
            role: role.into(),
            agency_id: Some(agency.id),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// The delegators named in the page's delegation table (not in the form below it).
async fn listed(app: &TestApp, cookie: &str, path: &str) -> Vec<&'static str> {
    let html = get_html(app, cookie, path).await;
    let start = html.find("id=\"delegation-list\"").expect("the list");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    ["kadishub", "kadinkes", "sekdinkes"]
        .into_iter()
        .filter(|name| table.contains(&format!("<td>Pengguna {name}</td>")))
        .collect()
}

#[tokio::test]
async fn an_operator_lists_only_their_agencys_delegations() {
    for app in spawn_apps().await {
        let backend = app.db.backend().as_str();
        let kadinkes = add_official(&app, "kadinkes", "head_of_agency", "DINKES").await;
        let sekdinkes = add_official(&app, "sekdinkes", "staff", "DINKES").await;
        let kadishub = user_id(&app, "kadishub").await;
        let liaison_dishub = user_id(&app, "penghubung.dishub").await;
        let liaison_dinkes = user_id(&app, "penghubung.dinkes").await;
        let today = chrono::Utc::now().date_naive();
        let in_a_week = today + chrono::Days::new(7);

        // The DISHUB operator records the head of DISHUB's Plh. on their profile page.
        let operator = login(&app, "operator.dishub").await;
        post_ok(
            &app,
            &operator,
            "/staf/profil/delegasi",
            &[
                ("delegator_id", kadishub.to_string().as_str()),
                ("delegate_id", liaison_dishub.to_string().as_str()),
                ("kind", "plh"),
                ("dari", today.to_string().as_str()),
                ("sampai", in_a_week.to_string().as_str()),
                ("dasar", "SP 800/12/DISHUB"),
            ],
            "/staf/profil?ok=delegasi",
        )
        .await;
        // The admin records two DINKES delegations, one of them to a DISHUB officer.
        let admin_user = app.db.user_by_username("admin").await.unwrap().unwrap();
        let admin_access = app
            .db
            .access_for(&admin_user, store::now_ms())
            .await
            .unwrap();
        let window = |delegator: i64, delegate: i64| NewDelegation {
            delegator_id: delegator,
            delegate_id: delegate,
            kind: "plh".into(),
            starts_at: store::now_ms(),
            ends_at: store::now_ms() + 7 * 86_400_000,
            note: String::new(),
            basis: String::new(),
        };
        for (delegator, delegate) in [(kadinkes, liaison_dishub), (sekdinkes, liaison_dinkes)] {
            app.db
                .create_delegation(&admin_access, &window(delegator, delegate))
                .await
                .unwrap();
        }

        let profile = "/staf/profil";
        assert_eq!(
            listed(&app, &operator, profile).await,
            ["kadishub"],
            "{backend}: the DISHUB operator sees DISHUB's delegation only"
        );
        let page = get_html(&app, &operator, profile).await;
        assert!(
            page.contains("action=\"/staf/delegasi/") && page.contains("Akhiri sekarang"),
            "{backend}: the operator may end the agency's delegation"
        );
        let cookie = login(&app, "kadishub").await;
        assert_eq!(
            listed(&app, &cookie, profile).await,
            ["kadishub"],
            "{backend}: an official sees their own"
        );
        let cookie = login(&app, "penghubung.dishub").await;
        let mut seen = listed(&app, &cookie, profile).await;
        seen.sort_unstable();
        assert_eq!(
            seen,
            ["kadinkes", "kadishub"],
            "{backend}: a delegate sees the delegations they stand in"
        );
        let cookie = login(&app, "penghubung.dinkes").await;
        assert_eq!(
            listed(&app, &cookie, profile).await,
            ["sekdinkes"],
            "{backend}"
        );
        let admin = login(&app, "admin").await;
        for path in ["/admin/delegasi", profile] {
            assert_eq!(
                listed(&app, &admin, path).await,
                ["kadishub", "kadinkes", "sekdinkes"],
                "{backend}: the admin sees all on {path}"
            );
        }
    }
}
