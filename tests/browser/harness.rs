//! Browser-test harness: the real Gloss server on an ephemeral port with a fresh SQLite file
//! (exactly as `tests/api/helpers.rs` starts it), and headless Chromium driven over WebDriver
//! by a chromedriver child process on a free port.
//!
//! Browser tests run one at a time: [`BrowserTest::start`] takes a global lock that is held
//! until the test's `BrowserTest` is dropped, because several Chromium instances at once
//! are flaky on a 2-core machine. Dropping it ends the WebDriver session (Chromium exits),
//! stops chromedriver and deletes the temporary database and browser profile.
//!
//! Without Chromium or chromedriver a test is skipped with a notice on standard error,
//! except when `CI` is set: then it fails, so a broken install step cannot hide behind a
//! green run.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use gloss::config::Settings;
use gloss::db::Db;
use gloss::startup::App;
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::{Mutex, MutexGuard};

// The rule for `CI`, shared with the API tests (this file is also included by the
// `coding_page` bench, hence the path relative to this file).
#[path = "../support/ci.rs"]
mod ci;
pub use ci::in_ci;

pub const PASSWORD: &str = "correct horse battery";

/// How long to wait for the browser to show something before failing the test.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Held by the running browser test; see the module comment.
static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// The Chromium flags: headless, no first-run or background traffic, a fixed window size so
/// layout does not depend on the machine.
const CHROME_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// One browser test: a Gloss server, a signed-out Chromium, and the turn lock.
pub struct BrowserTest {
    pub base: String,
    pub db: Db,
    pub client: Client,
    // Fields drop in order: the browser first, then the files, then the lock.
    _driver: Driver,
    _dir: TempDir,
    _turn: MutexGuard<'static, ()>,
}

impl BrowserTest {
    /// Starts the server and the browser, or returns `None` (after a loud notice) when
    /// Chromium is not installed outside CI.
    pub async fn start() -> Option<BrowserTest> {
        let turn = ONE_BROWSER_AT_A_TIME.lock().await;
        let tools = match Tools::find() {
            Ok(tools) => tools,
            Err(missing) => {
                skip_or_fail(&missing);
                return None;
            }
        };

        let dir = tempfile::tempdir().expect("temp dir");
        let app = App::build(Settings::for_tests(dir.path().join("gloss.db")))
            .await
            .expect("app builds");
        let base = format!("http://{}", app.local_addr());
        let db = app.db();
        tokio::spawn(app.run_until(std::future::pending()));

        let mut driver = Driver::spawn(&tools.chromedriver).await;
        let client = driver
            .connect(&tools.chromium, &dir.path().join("profile"))
            .await;
        Some(BrowserTest {
            base,
            db,
            client,
            _driver: driver,
            _dir: dir,
            _turn: turn,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account directly through the service layer.
    pub async fn create_user(&self, name: &str) {
        gloss::service::accounts::create_user(&self.db, name, PASSWORD, false)
            .await
            .expect("user created");
    }

    /// A JSON API client for `name` (who must exist), with a fresh personal token.
    pub async fn api_for(&self, name: &str) -> Api {
        let user = gloss::db::users::by_username(&self.db, name)
            .await
            .expect("user lookup")
            .expect("user exists");
        let token =
            gloss::service::tokens::create(&self.db, &user, "browser tests", Default::default())
                .await
                .expect("token created");
        Api {
            base: self.base.clone(),
            token: token.secret,
            client: reqwest::Client::new(),
        }
    }

    /// Opens a page of the Gloss server.
    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path (and query) of the page the browser shows.
    pub async fn current_path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Signs in through the real login form and waits for the signed-in page.
    pub async fn sign_in(&self, name: &str) {
        self.goto("/login").await;
        self.wait_for("input[name=username]")
            .await
            .send_keys(name)
            .await
            .expect("type the user name");
        self.wait_for("input[name=password]")
            .await
            .send_keys(PASSWORD)
            .await
            .expect("type the password");
        self.wait_for("form[action='/login'] button[type=submit]")
            .await
            .click()
            .await
            .expect("press Sign in");
        // Only signed-in pages have the sign-out form.
        self.wait_for("form[action='/logout']").await;
    }

    /// Waits until an element matching `css` exists, failing the test after a while.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let path = self.current_path().await;
                let body = self.text_of("body").await;
                panic!("no `{css}` appeared on {path}: {e}\n--- page text ---\n{body}");
            }
        }
    }

    /// The visible text of the first element matching `css` (which must exist).
    pub async fn text_of(&self, css: &str) -> String {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find `{css}`: {e}"));
        element.text().await.expect("element text")
    }

    /// Cuts the browser off the network (`true`) or reconnects it, through chromedriver's
    /// network emulation: requests then fail as they would on a dropped connection.
    pub async fn set_offline(&self, offline: bool) {
        self.client
            .issue_cmd(NetworkConditions { offline })
            .await
            .unwrap_or_else(|e| panic!("set network conditions (offline: {offline}): {e}"));
    }

    /// Runs a synchronous script (`return …` gives the result) and returns its JSON value.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Signs the current user out (the session cookie is dropped) and `name` in.
    pub async fn switch_user(&self, name: &str) {
        self.client
            .delete_all_cookies()
            .await
            .expect("sign out: drop the cookies");
        self.sign_in(name).await;
    }

    /// Runs `body` as the body of an async function with `o`, the page's
    /// `/static/js/offsets.js` module, and `args`, the given arguments, in scope, and
    /// returns what it returns. A JavaScript exception fails the test with its stack.
    pub async fn with_offsets(&self, body: &str, args: Vec<Value>) -> Value {
        self.with_modules(&[("o", "/static/js/offsets.js")], body, args)
            .await
    }

    /// Runs `body` as the body of an async function with each `(name, path)` of `modules`
    /// imported (the ES module served at `path`, bound to `name`) and `args`, the given
    /// arguments, in scope, in the page the browser shows; returns what `body` returns. A
    /// JavaScript exception fails the test with its stack.
    pub async fn with_modules(
        &self,
        modules: &[(&str, &str)],
        body: &str,
        args: Vec<Value>,
    ) -> Value {
        let names = modules
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let imports = modules
            .iter()
            .map(|(_, path)| format!("import({})", json!(path)))
            .collect::<Vec<_>>()
            .join(", ");
        let script = format!(
            r#"const done = arguments[arguments.length - 1];
            const args = Array.from(arguments).slice(0, -1);
            Promise.all([{imports}])
              .then(([{names}]) => (async ({names}, args) => {{ {body} }})({names}, args))
              .then((value) => done({{ ok: value === undefined ? null : value }}),
                    (error) => done({{ error: String(error && error.stack || error) }}));"#
        );
        let result = self
            .client
            .execute_async(&script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{body}"));
        if let Some(error) = result.get("error") {
            panic!(
                "JavaScript threw: {}\n--- script ---\n{body}",
                error.as_str().unwrap_or_default()
            );
        }
        result["ok"].clone()
    }
}

/// chromedriver's `POST /session/{id}/chromium/network_conditions`.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/chromium/network_conditions"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "network_conditions": {
            "offline": self.offline,
            "latency": 0,
            "download_throughput": -1,
            "upload_throughput": -1,
        }});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Skips (outside CI) or fails (in CI) a test that cannot find the browser.
fn skip_or_fail(missing: &str) {
    if in_ci() {
        panic!("Chromium/chromedriver not installed; .ci/run installs them (missing: {missing})");
    }
    // Written to the real standard error, not `eprintln!`, which the test runner captures
    // and hides for passing tests; once per run is enough.
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n**********************************************************************\n\
             ** SKIPPING the browser tests: {missing} not found. They pass without\n\
             ** running. Install chromium and chromium-driver (see README); with CI\n\
             ** set they fail instead.\n\
             **********************************************************************\n"
        );
    });
}

/// Where chromedriver and the browser are installed.
struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
}

impl Tools {
    /// Both programs, or the name of what is missing.
    fn find() -> Result<Tools, String> {
        let chromedriver = on_path("chromedriver");
        let chromium = Some(PathBuf::from("/usr/bin/chromium"))
            .filter(|p| p.is_file())
            .or_else(|| on_path("chromium"))
            .or_else(|| on_path("chromium-browser"))
            .or_else(|| on_path("google-chrome"));
        match (chromedriver, chromium) {
            (Some(chromedriver), Some(chromium)) => Ok(Tools {
                chromedriver,
                chromium,
            }),
            (None, Some(_)) => Err("chromedriver".into()),
            (Some(_), None) => Err("chromium".into()),
            (None, None) => Err("chromium and chromedriver".into()),
        }
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A free TCP port on the loopback interface (the OS picks; we release it at once).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A chromedriver child process; dropping it ends its browser session and stops it.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
}

impl Driver {
    /// Starts chromedriver and waits until it reports that it is ready.
    async fn spawn(program: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        let mut driver = Driver {
            child,
            port,
            session: None,
        };
        let status_url = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!("chromedriver exited at start-up ({exit})");
            }
            if let Ok(response) = http.get(&status_url).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens a WebDriver session with headless Chromium using a fresh profile directory.
    async fn connect(&mut self, chromium: &Path, profile: &Path) -> Client {
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "args": args, "binary": chromium }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {}: {e}", chromium.display()));
        self.session = client.session_id().await.expect("session id");
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime is about to stop, so fantoccini would
        // not get to close the session: ask chromedriver directly, which quits Chromium and
        // waits for it, then stop chromedriver itself.
        if let Some(session) = self.session.take() {
            delete_session(self.port, &session);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `DELETE /session/{id}` with a plain blocking HTTP/1.1 request, waiting for the reply
/// (chromedriver answers once Chromium has quit); errors are ignored, as the process is
/// killed next in any case.
fn delete_session(port: u16, session: &str) {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return;
    }
    // chromedriver may keep the connection open, so read only until the reply is complete.
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(read @ 1..) = stream.read(&mut chunk) {
        reply.extend_from_slice(&chunk[..read]);
        if http_reply_complete(&reply) {
            break;
        }
    }
}

/// Whether `reply` holds a whole HTTP response: its headers and `Content-Length` bytes.
fn http_reply_complete(reply: &[u8]) -> bool {
    let Some(head_end) = reply.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&reply[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    reply.len() >= head_end + 4 + length
}

/// A JSON API client authenticated with a bearer token, for setting up fixtures.
pub struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/v1{}", self.base, path))
            .bearer_auth(&self.token)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("API request");
        let status = response.status();
        let text = response.text().await.expect("API response body");
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(self.request(reqwest::Method::GET, path)).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Creates a project and returns its id.
    pub async fn create_project(&self, name: &str) -> i64 {
        let request = self
            .request(reqwest::Method::POST, "/projects")
            .json(&json!({ "name": name }));
        let (status, body) = self.send(request).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("project id")
    }

    /// Imports `text` like an uploaded `.txt` transcript; returns the document's id.
    pub async fn import_text(&self, project: i64, title: &str, text: &str) -> i64 {
        let request = self
            .request(
                reqwest::Method::POST,
                &format!("/projects/{project}/documents"),
            )
            .json(&json!({ "title": title, "text": text }));
        let (status, body) = self.send(request).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("one document created")
    }

    /// Uploads a file as the import form would; returns the import summary.
    pub async fn import_file(&self, project: i64, name: &str, bytes: Vec<u8>) -> Value {
        let form = Form::new().part("files", Part::bytes(bytes).file_name(name.to_owned()));
        let request = self
            .request(
                reqwest::Method::POST,
                &format!("/projects/{project}/documents"),
            )
            .multipart(form);
        let (status, body) = self.send(request).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// `GET /api/v1/documents/{id}`: `{id, text, length, turns, attributes}`.
    pub async fn document(&self, id: i64) -> Value {
        self.get(&format!("/documents/{id}")).await
    }

    /// Any request under `/api/v1` with an optional JSON body: the status and the JSON
    /// answer (`null` when empty, as for 204), whatever the status.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method.clone(), path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status();
        let text = response.text().await.expect("API response body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path}: not JSON ({status}): {text}"))
        };
        (status, body)
    }

    /// `POST` expecting `201 Created`; returns the created resource.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, created) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {created}");
        created
    }
}
