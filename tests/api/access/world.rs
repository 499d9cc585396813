//! The world the access sweep runs in: one server, one project with an owner, a coder and a
//! viewer, an outsider and an administrator who are not members, an anonymous visitor and
//! someone whose token was revoked and whose session was ended. Real ids fill each path.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{Client, Method, RequestBuilder, StatusCode, header};
use serde_json::json;

use super::rules::Body;
use crate::helpers::{Api, Browser, TestApp, csrf_in, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Anonymous,
    /// Revoked API token, or a session cookie whose session was ended.
    Revoked,
    /// Signed in, not a member of the project.
    Outsider,
    /// An administrator, not a member of the project.
    Admin,
    Viewer,
    Coder,
    Owner,
}

/// The order a route is called in: refusals first, so whatever an allowed call changes
/// (it works on fresh resources) cannot hide a refusal.
pub const ROLES: [Role; 7] = [
    Role::Anonymous,
    Role::Revoked,
    Role::Outsider,
    Role::Admin,
    Role::Viewer,
    Role::Coder,
    Role::Owner,
];

impl Role {
    pub fn username(self) -> Option<&'static str> {
        match self {
            Role::Anonymous => None,
            Role::Revoked => Some("rex"),
            Role::Outsider => Some("otto"),
            Role::Admin => Some("ada"),
            Role::Viewer => Some("vera"),
            Role::Coder => Some("cody"),
            Role::Owner => Some("olga"),
        }
    }
}

/// The real ids a path template and a body are filled with.
pub struct Ids {
    /// Distinguishes names created by different calls.
    pub serial: u32,
    pub project: i64,
    pub document: i64,
    /// The import that created `document`.
    pub import: i64,
    pub code: i64,
    pub other_code: i64,
    /// Drawn by cody (the coder) over `[0, 4)` of `document` with `code`.
    pub excerpt: i64,
    /// One of olga's API tokens (not the one she calls with).
    pub token: i64,
    /// A viewer of the project (the one member routes remove).
    pub member: String,
    /// An account that is not a member yet (the one member routes add).
    pub newcomer: String,
    /// The account administrator routes change.
    pub user: &'static str,
    /// An invitation for olga (the owner) to join another project (nina's).
    pub invitation: i64,
    /// A pending invitation of the project, for `newcomer`.
    pub pending: i64,
}

pub const TRANSCRIPT: &str = "User: Well said, and then some.\n\nInterviewer: Go on?\n";

/// What a call got back: its status, where it redirects, and for a redirect inside the
/// site whether the page it leads to shows an error message.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    /// The error message the page after a redirect shows, if any.
    pub flashed_error: Option<String>,
}

fn error_message(html: &str) -> Option<String> {
    let start = html.find("flash flash-error")?;
    let text = html[start..].split_once('>')?.1;
    Some(text.split('<').next().unwrap_or_default().to_owned())
}

pub struct World {
    pub app: TestApp,
    apis: Vec<(Role, Api)>,
    /// Each role's browser with the CSRF token its forms carry (signed in again after a
    /// call that ends its sessions).
    browsers: Mutex<Vec<(Role, Browser, String)>>,
    pub shared: Ids,
    serial: AtomicU32,
}

impl World {
    pub async fn new() -> World {
        let app = spawn_app().await;
        let mut apis = Vec::new();
        for role in ROLES {
            let Some(name) = role.username() else {
                continue;
            };
            app.create_user(name, role == Role::Admin).await;
            apis.push((role, app.api_for(name).await));
        }
        app.create_user("nina", false).await;
        let mut world = World {
            browsers: Mutex::new(browsers(&app).await),
            app,
            apis,
            shared: placeholder_ids(),
            serial: AtomicU32::new(0),
        };
        let project = world.api(Role::Owner).create_project("Study").await;
        world.shared.project = project;
        for (name, role) in [("cody", "coder"), ("vera", "viewer")] {
            world.api(Role::Owner).add_member(project, name, role).await;
        }
        world.shared = world.fresh(true).await;
        world.revoke_rex().await;
        world
    }

    pub fn api(&self, role: Role) -> &Api {
        &self.apis.iter().find(|(r, _)| *r == role).expect("api").1
    }

    fn browser(&self, role: Role) -> (Browser, String) {
        let browsers = self.browsers.lock().unwrap();
        let (_, browser, csrf) = browsers.iter().find(|(r, ..)| *r == role).unwrap();
        let copy = Browser {
            base: browser.base.clone(),
            client: browser.client.clone(),
        };
        (copy, csrf.clone())
    }

    /// Signs `role`'s browser in again (after a call that ended all its sessions).
    async fn sign_in_again(&self, role: Role) {
        let browser = self.app.browser_signed_in(role.username().unwrap()).await;
        let csrf = browser.csrf("/settings").await;
        let mut browsers = self.browsers.lock().unwrap();
        let entry = browsers.iter_mut().find(|(r, ..)| *r == role).unwrap();
        *entry = (role, browser, csrf);
    }

    /// Ends rex's session server-side and revokes the token he calls the API with.
    async fn revoke_rex(&self) {
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'rex')",
        )
        .execute(&self.app.db)
        .await
        .unwrap();
        let rex = self.api(Role::Revoked);
        let other = self.app.api_for("rex").await;
        let (_, tokens) = other.get("/tokens").await;
        let own = tokens["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .min()
            .unwrap();
        let (status, body) = other.delete(&format!("/tokens/{own}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(rex.get("/me").await.0, StatusCode::UNAUTHORIZED);
    }

    /// New resources for an allowed call, so what it changes or deletes is its own; new
    /// accounts only for the membership routes (each costs a password hash).
    pub async fn fresh(&self, with_people: bool) -> Ids {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let owner = self.api(Role::Owner);
        let project = self.shared.project;
        let (status, created) = owner
            .post(
                &format!("/projects/{project}/documents"),
                json!({ "title": format!("Interview {serial}"), "text": TRANSCRIPT }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let document = created["id"].as_i64().unwrap();
        let import = created["import_id"].as_i64().unwrap();
        let mut codes = Vec::new();
        for suffix in ["a", "b"] {
            let body = json!({ "name": format!("Sweep {serial}{suffix}") });
            codes.push(owner.create_code(project, body).await.id);
        }
        let coder = self.api(Role::Coder);
        let excerpt = coder.create_excerpt(document, 0, 4, &[codes[0]]).await.id;
        let olga = gloss::db::users::by_username(&self.app.db, "olga")
            .await
            .unwrap()
            .unwrap();
        let name = format!("sweep {serial}");
        let token = gloss::service::tokens::create(&self.app.db, &olga, &name, Default::default())
            .await
            .unwrap()
            .id;
        let (member, newcomer) = match with_people {
            true => self.people(serial).await,
            false => (self.shared.member.clone(), self.shared.newcomer.clone()),
        };
        let (invitation, pending) = self.invitations(serial, &olga, &newcomer).await;
        Ids {
            serial,
            project,
            document,
            import,
            code: codes[0],
            other_code: codes[1],
            excerpt,
            token,
            member,
            newcomer,
            user: "nina",
            invitation,
            pending,
        }
    }

    /// The shared ids, but for a new project of olga's named `Spare {serial}` (for the
    /// routes that delete their project).
    pub async fn spare_project(&self) -> Ids {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let name = format!("Spare {serial}");
        let project = self.api(Role::Owner).create_project(&name).await;
        Ids {
            serial,
            project,
            member: self.shared.member.clone(),
            newcomer: self.shared.newcomer.clone(),
            ..self.shared
        }
    }

    /// An invitation for olga into a project of nina's, and one of olga's project for
    /// `newcomer` (made through the database: the routes under test are what accept,
    /// decline and withdraw them).
    async fn invitations(
        &self,
        serial: u32,
        olga: &gloss::service::User,
        newcomer: &str,
    ) -> (i64, i64) {
        let db = &self.app.db;
        let nina = gloss::db::users::by_username(db, "nina")
            .await
            .unwrap()
            .unwrap();
        let elsewhere =
            gloss::service::projects::create(db, &nina, &format!("Elsewhere {serial}"), "")
                .await
                .unwrap()
                .project_id();
        let viewer = gloss::domain::Role::Viewer;
        let invitation = gloss::db::invitations::upsert(db, elsewhere, "olga", viewer, nina.id)
            .await
            .unwrap();
        let pending =
            gloss::db::invitations::upsert(db, self.shared.project, newcomer, viewer, olga.id)
                .await
                .unwrap();
        (invitation, pending)
    }

    /// A new viewer of the project, and a new account that is not a member yet.
    async fn people(&self, serial: u32) -> (String, String) {
        let (member, newcomer) = (format!("mira{serial}"), format!("newt{serial}"));
        self.app.create_user(&member, false).await;
        self.app.create_user(&newcomer, false).await;
        let owner = self.api(Role::Owner);
        owner
            .add_member(self.shared.project, &member, "viewer")
            .await;
        (member, newcomer)
    }

    pub async fn events(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }

    pub async fn accounts(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }

    /// Calls an API operation as `role` (by bearer token; none when anonymous).
    pub async fn call_api(&self, role: Role, method: &str, path: &str, body: Payload<'_>) -> Reply {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let request = match role {
            Role::Anonymous => Client::new().request(method, self.app.url(path)),
            _ => {
                let api = self.api(role);
                api.client
                    .request(method, self.app.url(path))
                    .bearer_auth(&api.token)
            }
        };
        let response = body.attach(request, None).send().await.unwrap();
        Reply {
            status: response.status(),
            location: None,
            flashed_error: None,
        }
    }

    /// Calls a page route as `role` in its browser (with its form token); a redirect
    /// inside the site is followed once to see whether it shows an error.
    pub async fn call_page(
        &self,
        role: Role,
        method: &str,
        path: &str,
        body: Payload<'_>,
    ) -> Reply {
        // These forms end the session they are sent in (a new password ends all of them):
        // an allowed call gets a session of its own, and the role signs in again after.
        let ends_sessions = ENDS_THE_SESSION.contains(&path) && role.username().is_some();
        let own_session = ends_sessions && role != Role::Revoked;
        let (browser, csrf) = match own_session {
            true => {
                let browser = self.app.browser_signed_in(role.username().unwrap()).await;
                let csrf = browser.csrf("/settings").await;
                (browser, csrf)
            }
            false => self.browser(role),
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let request = browser.client.request(method, browser.url(path));
        let response = body.attach(request, Some(&csrf)).send().await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        let mut flashed_error = None;
        if let Some(to) = location.as_deref().filter(|to| to.starts_with('/')) {
            let (status, mut html) = browser.page(to).await;
            if status != StatusCode::OK {
                // An error page shows no flash: the next page does.
                html = browser.page("/settings").await.1;
            }
            flashed_error = error_message(&html);
        }
        if own_session {
            self.sign_in_again(role).await;
        }
        Reply {
            status,
            location,
            flashed_error,
        }
    }
}

/// A body as sent: the row's own, or one that is wrong on purpose (to show access is
/// decided before the body is looked at).
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    Valid(&'a Body, &'a Ids),
    Broken(&'a Body),
}

impl Payload<'_> {
    fn attach(self, request: RequestBuilder, csrf: Option<&str>) -> RequestBuilder {
        let token = || csrf.unwrap_or_default().to_owned();
        match self {
            Payload::Valid(body, ids) => match body {
                Body::None | Body::Query(_) => with_token(request, csrf),
                Body::Json(make) => request.json(&make(ids)),
                Body::Form(make) => {
                    let mut fields: Vec<(&str, String)> = make(ids);
                    fields.push(("_csrf", token()));
                    request.form(&fields)
                }
                Body::Upload(name, bytes) => request.multipart(upload(name, bytes, csrf)),
                Body::Csv(text) => with_token(request, csrf)
                    .header(header::CONTENT_TYPE, "text/csv")
                    .body(text.to_string()),
            },
            Payload::Broken(body) => match body {
                Body::None | Body::Query(_) => with_token(request, csrf),
                Body::Form(_) => request.form(&[("_csrf", token()), ("into", "%%%".into())]),
                Body::Upload(..) => request.multipart(upload("broken.bin", b"\0\xff\0", csrf)),
                Body::Json(_) | Body::Csv(_) => with_token(request, csrf)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body("{\"unfinished\": [1, 2"),
            },
        }
    }
}

/// The page scripts send the form token in a header; bearer calls ignore it.
fn with_token(request: RequestBuilder, csrf: Option<&str>) -> RequestBuilder {
    match csrf {
        Some(token) => request.header("x-csrf-token", token),
        None => request,
    }
}

fn upload(name: &str, bytes: &[u8], csrf: Option<&str>) -> Multipart {
    let form = Multipart::new();
    let form = match csrf {
        Some(token) => form.text("_csrf", token.to_owned()),
        None => form,
    };
    form.part(
        "files",
        Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    )
}

/// A browser per role. The anonymous one holds the signed token of the sign-in form; the
/// revoked one signed in as rex before his session was ended (`World::revoke_rex`).
async fn browsers(app: &TestApp) -> Vec<(Role, Browser, String)> {
    let mut browsers = Vec::new();
    for role in ROLES {
        let browser = match role.username() {
            Some(name) => app.browser_signed_in(name).await,
            None => Browser::new(&app.base),
        };
        let (_, html) = match role {
            Role::Anonymous => browser.page("/login").await,
            _ => browser.page("/settings").await,
        };
        let csrf = csrf_in(&html);
        browsers.push((role, browser, csrf));
    }
    browsers
}

fn placeholder_ids() -> Ids {
    Ids {
        serial: 0,
        project: 0,
        document: 0,
        import: 0,
        code: 0,
        other_code: 0,
        excerpt: 0,
        token: 0,
        member: String::new(),
        newcomer: String::new(),
        user: "nina",
        invitation: 0,
        pending: 0,
    }
}

/// The path with real ids in place of its parameters.
pub fn fill(template: &str, ids: &Ids) -> String {
    let id = if template.contains("/invitations/{id}") {
        ids.invitation
    } else if template.contains("/projects/{id}") {
        ids.project
    } else if template.contains("/documents/{id}") {
        ids.document
    } else if template.contains("/codes/{id}") {
        ids.code
    } else if template.contains("/excerpts/{id}") {
        ids.excerpt
    } else {
        ids.token
    };
    let username = if template.contains("/members/") {
        ids.member.as_str()
    } else {
        ids.user
    };
    template
        .replace("{id}", &id.to_string())
        .replace("{import_id}", &ids.import.to_string())
        .replace("{invitation_id}", &ids.pending.to_string())
        .replace("{label}", "User")
        .replace("{username}", username)
        .replace("{*path}", "css/app.css")
}

/// Page forms that end the caller's sessions (signing out; a new password signs out
/// everywhere).
const ENDS_THE_SESSION: [&str; 2] = ["/logout", "/settings/password"];
