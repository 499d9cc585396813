//! Test harness: the real Gloss server on an ephemeral port, with a fresh SQLite file in a
//! temporary directory, driven over HTTP with reqwest; typed answers (`responses`) and the
//! shared coding fixture (`study`).

pub mod kept_counts;
mod responses;
mod study;
mod worked_example;

use gloss::config::Settings;
use gloss::db::Db;
use gloss::startup::App;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, Response, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tempfile::TempDir;

pub use responses::{
    Code, Document, ErrorDetail, Excerpt, Imported, ListedDocument, Member, Page, Speaker,
    error_of, parse, span_of,
};
pub use study::{Study, study};
pub use worked_example::{Example, close, worked_example};

pub const PASSWORD: &str = "correct horse battery";

/// One interview (speaker text with a Markdown header and one mojibake sequence).
pub const SEED: &[u8] = include_bytes!("../fixtures/work_0759.txt");
/// Four interviews of the workforce data set, as CSV.
pub const WORKFORCE_EXCERPT: &[u8] = include_bytes!("../fixtures/anthropic_workforce_excerpt.csv");

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// Keeps the temporary directory (and the database in it) alive for the test.
    _dir: TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_tests(dir.path().join("gloss.db"));
    configure(&mut settings);
    let app = App::build(settings).await.expect("app builds");
    let base = format!("http://{}", app.local_addr());
    let db = app.db();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base,
        db,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// How many documents the database holds, in every project.
    pub async fn document_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Creates an account directly through the service layer (fast set-up for tests).
    pub async fn create_user(&self, name: &str, admin: bool) {
        gloss::service::accounts::create_user(&self.db, name, PASSWORD, admin)
            .await
            .expect("user created");
    }

    /// A user with an API token, as a client for the JSON API.
    pub async fn api_user(&self, name: &str) -> Api {
        self.create_user(name, false).await;
        self.api_for(name).await
    }

    pub async fn api_for(&self, name: &str) -> Api {
        self.api_scoped(name, Default::default()).await
    }

    /// A client for `name` whose token has the given expiry and access.
    pub async fn api_scoped(&self, name: &str, scope: gloss::service::tokens::TokenScope) -> Api {
        let user = gloss::db::users::by_username(&self.db, name)
            .await
            .unwrap()
            .unwrap();
        let token = gloss::service::tokens::create(&self.db, &user, "tests", scope)
            .await
            .unwrap();
        Api {
            base: self.base.clone(),
            token: token.secret,
            client: Client::new(),
        }
    }

    /// A browser-like client (cookie jar, redirects not followed) signed in as `name`.
    pub async fn browser_signed_in(&self, name: &str) -> Browser {
        let browser = Browser::new(&self.base);
        let response = browser.sign_in(name, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in should redirect"
        );
        browser
    }
}

/// A JSON API client authenticated with a bearer token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub client: Client,
}

impl Api {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/v1{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        json_of(
            self.request(reqwest::Method::GET, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(
            self.request(reqwest::Method::POST, path)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(
            self.request(reqwest::Method::PATCH, path)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        json_of(
            self.request(reqwest::Method::DELETE, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Creates a project and returns its id.
    pub async fn create_project(&self, name: &str) -> i64 {
        let (status, body) = self.post("/projects", json!({ "name": name })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("project id")
    }

    /// `GET` expecting `200 OK`, read as `T`.
    pub async fn get_ok<T: DeserializeOwned>(&self, path: &str) -> T {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        parse(&body)
    }

    /// `POST` expecting `201 Created`, read as `T`.
    pub async fn created<T: DeserializeOwned>(&self, path: &str, body: Value) -> T {
        let (status, created) = self.post(path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {created}");
        parse(&created)
    }

    /// `PATCH` expecting `200 OK`, read as `T`.
    pub async fn patched<T: DeserializeOwned>(&self, path: &str, body: Value) -> T {
        let (status, changed) = self.patch(path, body).await;
        assert_eq!(status, StatusCode::OK, "PATCH {path}: {changed}");
        parse(&changed)
    }

    /// A request that must be refused with `status`; returns its error.
    pub async fn refused(
        &self,
        method: Method,
        path: &str,
        body: Value,
        status: StatusCode,
    ) -> ErrorDetail {
        let response = self.request(method.clone(), path).json(&body).send();
        let (got, error) = json_of(response.await.unwrap()).await;
        assert_eq!(got, status, "{method} {path} {body}: {error}");
        error_of(&error)
    }

    /// `GET /documents/{id}`.
    pub async fn document(&self, id: i64) -> Document {
        self.get_ok(&format!("/documents/{id}")).await
    }

    /// One page of `GET /projects/{id}/documents{query}`.
    pub async fn documents(&self, project: i64, query: &str) -> Page<ListedDocument> {
        self.get_ok(&format!("/projects/{project}/documents{query}"))
            .await
    }

    /// Imports `text` (parsed like a `.txt` file) as one document; returns its id.
    pub async fn create_document(&self, project: i64, title: &str, text: &str) -> i64 {
        let path = format!("/projects/{project}/documents");
        let (status, created) = self
            .post(&path, json!({ "title": title, "text": text }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created["id"].as_i64().expect("one document created")
    }

    /// Uploads `files` (name, bytes) with the form's `options`, as the import form does;
    /// the status and the answer, whatever they are.
    pub async fn upload(
        &self,
        project: i64,
        files: &[(&str, &[u8])],
        options: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = Form::new();
        for (name, value) in options {
            form = form.text(name.to_string(), value.to_string());
        }
        for (name, bytes) in files {
            form = form.part(
                "files",
                Part::bytes(bytes.to_vec()).file_name(name.to_string()),
            );
        }
        let response = self
            .request(Method::POST, &format!("/projects/{project}/documents"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        json_of(response).await
    }

    /// [`Api::upload`] expecting `201 Created`.
    pub async fn import(
        &self,
        project: i64,
        files: &[(&str, &[u8])],
        options: &[(&str, &str)],
    ) -> Imported {
        let (status, summary) = self.upload(project, files, options).await;
        assert_eq!(status, StatusCode::CREATED, "{summary}");
        parse(&summary)
    }

    /// `GET /codes/{id}`.
    pub async fn code(&self, id: i64) -> Code {
        self.get_ok(&format!("/codes/{id}")).await
    }

    /// The codebook as the caller sees it (its first page: 100 codes, enough for tests).
    pub async fn codebook(&self, project: i64) -> Vec<Code> {
        let page: Page<Code> = self.get_ok(&format!("/projects/{project}/codes")).await;
        page.items
    }

    /// Creates a code from `body` (`{"name", "parent_id", "color", …}`).
    pub async fn create_code(&self, project: i64, body: Value) -> Code {
        self.created(&format!("/projects/{project}/codes"), body)
            .await
    }

    /// `GET /excerpts/{id}`.
    pub async fn excerpt(&self, id: i64) -> Excerpt {
        self.get_ok(&format!("/excerpts/{id}")).await
    }

    /// One page of `GET /documents/{id}/excerpts{query}`.
    pub async fn excerpts(&self, document: i64, query: &str) -> Page<Excerpt> {
        self.get_ok(&format!("/documents/{document}/excerpts{query}"))
            .await
    }

    /// Creates an excerpt over code points `[start, end)` with `codes`.
    pub async fn create_excerpt(
        &self,
        document: i64,
        start: usize,
        end: usize,
        codes: &[i64],
    ) -> Excerpt {
        let body = json!({ "start": start, "end": end, "code_ids": codes });
        self.created(&format!("/documents/{document}/excerpts"), body)
            .await
    }

    /// The project's members (its first page).
    pub async fn members(&self, project: i64) -> Vec<Member> {
        let page: Page<Member> = self.get_ok(&format!("/projects/{project}/members")).await;
        page.items
    }

    /// Makes `username` a member in `role`, as a user would: an administrator's request
    /// adds them at once; anyone else's invites them, and the invitee (signed in with the
    /// test password) accepts the invitation.
    pub async fn add_member(&self, project: i64, username: &str, role: &str) {
        let (status, body) = self
            .post(
                &format!("/projects/{project}/members"),
                json!({ "username": username, "role": role }),
            )
            .await;
        match status {
            StatusCode::CREATED => {}
            StatusCode::ACCEPTED => accept_invitation(&self.base, username, &body).await,
            _ => panic!("adding {username}: {status} {body}"),
        }
    }
}

/// `username` signs in and accepts the invitation `invitation` (a 202 body).
pub async fn accept_invitation(base: &str, username: &str, invitation: &Value) {
    let invitee = Browser::new(base);
    let signed_in = invitee.sign_in(username, PASSWORD).await;
    assert_eq!(
        signed_in.status(),
        StatusCode::SEE_OTHER,
        "{username} signs in"
    );
    let csrf = invitee.csrf("/").await;
    let accepted = invitee
        .client
        .post(invitee.url(&format!("/api/v1/invitations/{}/accept", invitation["id"])))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK, "{username} accepts");
}

pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, value)
}

/// Asserts the API error shape and returns the error code.
pub fn error_code(body: &Value) -> String {
    error_of(body).code
}

/// A browser: keeps cookies, does not follow redirects, reads CSRF tokens from pages.
pub struct Browser {
    pub base: String,
    pub client: Client,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: base.to_owned(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    /// The CSRF token embedded in a page's `<meta name="csrf-token">`.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.page(path).await;
        csrf_in(&html)
    }

    /// Submits a form with the page's CSRF token added.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(form_page).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &token));
        self.client
            .post(self.url(action))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }
}

pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker).expect("page has a CSRF meta tag") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .expect("redirect has a Location")
        .to_str()
        .unwrap()
        .to_owned()
}
