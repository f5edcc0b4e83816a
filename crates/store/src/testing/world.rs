//! One test world: a region with agencies, positions, users in any role and SMS keywords, made
//! by the tests of every crate instead of a seed written per file. Tickets in any state are made
//! on top of it by `app::testing`.
//!
//! ```ignore
//! let world = WorldBuilder::standard().build(&db).await;
//! let head = world.access(&db, "kadishub").await;
//! ```

use crate::org::NewUser;
use crate::rows::NewAgency;
use crate::{Access, Db};
use domain::Role;
use std::collections::BTreeMap;

/// Every user of a world has this password.
pub const PASSWORD: &str = "rahasia-sekali";

#[derive(Clone, Debug)]
struct UserSpec {
    username: String,
    role: Role,
    agency: Option<String>,
    position: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    full_name: Option<String>,
}

#[derive(Clone, Debug)]
struct PositionSpec {
    key: String,
    agency: String,
    title: String,
    parent: Option<String>,
}

/// What a world holds; `build` makes it in a database.
#[derive(Clone, Debug, Default)]
pub struct WorldBuilder {
    agencies: Vec<(String, String, String)>,
    positions: Vec<PositionSpec>,
    users: Vec<UserSpec>,
    keywords: Vec<(String, String)>,
    full_name: Option<fn(&str) -> String>,
}

impl WorldBuilder {
    /// Nothing yet: add agencies, positions and users.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Agencies DISHUB (Dinas Perhubungan) and DINKES (Dinas Kesehatan); users `admin`,
    /// `sekretariat`, `walikota` (head of region), `kadishub` (head of DISHUB),
    /// `penghubung.dishub`, `operator.dishub` and `penghubung.dinkes`.
    pub fn standard() -> Self {
        Self::empty()
            .agency("DISHUB", "Dinas Perhubungan")
            .agency("DINKES", "Dinas Kesehatan")
            .user("admin", Role::Admin, None)
            .user("sekretariat", Role::Secretariat, None)
            .user("walikota", Role::HeadOfRegion, None)
            .user("kadishub", Role::HeadOfAgency, Some("DISHUB"))
            .user("penghubung.dishub", Role::LiaisonOfficer, Some("DISHUB"))
            .user("operator.dishub", Role::Operator, Some("DISHUB"))
            .user("penghubung.dinkes", Role::LiaisonOfficer, Some("DINKES"))
    }

    /// An agency (kind `agency`).
    pub fn agency(self, code: &str, name: &str) -> Self {
        self.agency_of_kind(code, name, "agency")
    }

    pub fn agency_of_kind(mut self, code: &str, name: &str, kind: &str) -> Self {
        self.agencies.push((code.into(), name.into(), kind.into()));
        self
    }

    /// A position `title` in `agency`, known to the test as `key`, under the position `parent`.
    pub fn position(mut self, key: &str, agency: &str, title: &str, parent: Option<&str>) -> Self {
        self.positions.push(PositionSpec {
            key: key.into(),
            agency: agency.into(),
            title: title.into(),
            parent: parent.map(str::to_string),
        });
        self
    }

    /// A user in `role`, of `agency` (a code added with `agency`) or of the whole region.
    pub fn user(mut self, username: &str, role: Role, agency: Option<&str>) -> Self {
        self.users.push(UserSpec {
            username: username.into(),
            role,
            agency: agency.map(str::to_string),
            position: None,
            email: None,
            phone: None,
            full_name: None,
        });
        self
    }

    fn last_user(&mut self) -> &mut UserSpec {
        self.users
            .last_mut()
            .expect("add a user before describing it")
    }

    /// The last user added holds the position `key`.
    pub fn in_position(mut self, key: &str) -> Self {
        self.last_user().position = Some(key.into());
        self
    }

    /// The last user added has this email.
    pub fn email(mut self, email: &str) -> Self {
        self.last_user().email = Some(email.into());
        self
    }

    /// The last user added has this phone number.
    pub fn phone(mut self, phone: &str) -> Self {
        self.last_user().phone = Some(phone.into());
        self
    }

    /// The last user added has this full name.
    pub fn named(mut self, full_name: &str) -> Self {
        self.last_user().full_name = Some(full_name.into());
        self
    }

    /// The full name of users not `named` (default: the username).
    pub fn full_names(mut self, name: fn(&str) -> String) -> Self {
        self.full_name = Some(name);
        self
    }

    /// An SMS keyword routing to `agency`.
    pub fn keyword(mut self, word: &str, agency: &str) -> Self {
        self.keywords.push((word.into(), agency.into()));
        self
    }

    /// Makes the world in `db` (a migrated database, usually empty).
    pub async fn build(self, db: &Db) -> World {
        let mut world = World::default();
        for (code, name, kind) in &self.agencies {
            let id = db
                .create_agency(&NewAgency {
                    code: code.clone(),
                    name: name.clone(),
                    kind: kind.clone(),
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("agency {code}: {e}"));
            world.agencies.insert(code.clone(), id);
        }
        for p in &self.positions {
            let parent = p.parent.as_deref().map(|k| world.position(k));
            let id = db
                .create_position(world.agency(&p.agency), &p.title, parent)
                .await
                .unwrap_or_else(|e| panic!("position {}: {e}", p.key));
            world.positions.insert(p.key.clone(), id);
        }
        for u in &self.users {
            let full_name = u.full_name.clone().unwrap_or_else(|| match self.full_name {
                Some(name) => name(&u.username),
                None => u.username.clone(),
            });
            let id = db
                .create_user(&NewUser {
                    username: u.username.clone(),
                    password: PASSWORD.into(),
                    full_name,
                    role: u.role.as_str().into(),
                    agency_id: u.agency.as_deref().map(|a| world.agency(a)),
                    position_id: u.position.as_deref().map(|k| world.position(k)),
                    email: u.email.clone(),
                    phone: u.phone.clone(),
                })
                .await
                .unwrap_or_else(|e| panic!("user {}: {e}", u.username));
            world.users.insert(u.username.clone(), id);
        }
        for (word, agency) in &self.keywords {
            db.create_keyword(word, world.agency(agency), "")
                .await
                .unwrap_or_else(|e| panic!("keyword {word}: {e}"));
        }
        world
    }
}

/// The ids of what a `WorldBuilder` made, by the names the test gave.
#[derive(Clone, Debug, Default)]
pub struct World {
    agencies: BTreeMap<String, i64>,
    positions: BTreeMap<String, i64>,
    users: BTreeMap<String, i64>,
}

impl World {
    pub fn agency(&self, code: &str) -> i64 {
        *self
            .agencies
            .get(code)
            .unwrap_or_else(|| panic!("no agency {code} in this world"))
    }

    pub fn position(&self, key: &str) -> i64 {
        *self
            .positions
            .get(key)
            .unwrap_or_else(|| panic!("no position {key} in this world"))
    }

    pub fn user(&self, username: &str) -> i64 {
        *self
            .users
            .get(username)
            .unwrap_or_else(|| panic!("no user {username} in this world"))
    }

    /// What `username` may do now (their own inboxes and any delegation in force).
    pub async fn access(&self, db: &Db, username: &str) -> Access {
        let user = db.user(self.user(username)).await.expect("user");
        db.access_for(&user, crate::now_ms()).await.expect("access")
    }
}
