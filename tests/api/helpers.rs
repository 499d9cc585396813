//! Test harness: the real Gloss server on an ephemeral port, with a fresh SQLite file in a
//! temporary directory, driven over HTTP with reqwest.

use gloss::config::Settings;
use gloss::db::Db;
use gloss::startup::App;
use reqwest::{Client, Response, StatusCode, header};
use serde_json::{Value, json};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

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
        let user = gloss::db::users::by_username(&self.db, name)
            .await
            .unwrap()
            .unwrap();
        let token = gloss::service::tokens::create(&self.db, &user, "tests")
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

    pub async fn add_member(&self, project: i64, username: &str, role: &str) {
        let (status, body) = self
            .post(
                &format!("/projects/{project}/members"),
                json!({ "username": username, "role": role }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
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
pub fn error_code(body: &Value) -> &str {
    let message = body["error"]["message"].as_str().expect("error.message");
    assert!(!message.is_empty());
    body["error"]["code"].as_str().expect("error.code")
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
