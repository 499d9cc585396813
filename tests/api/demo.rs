//! The demo project from an empty server: created through the API and the home page's
//! form, it has something real on every page; its coders cannot sign in; it deletes.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, Code, ListedDocument, Page, error_code, location, spawn_app};

#[tokio::test]
async fn the_demo_project_has_documents_codes_coding_agreement_and_exports() {
    let app = spawn_app().await;
    let alice = app.api_user("alice").await;
    let (status, project) = alice.post("/projects/demo", Value::Null).await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let id = project["id"].as_i64().unwrap();
    assert_eq!(project["role"], "owner");
    let description = project["description"].as_str().unwrap();
    assert!(description.contains("CC-BY") && description.contains("Handa et al. 2025"));

    let documents: Page<ListedDocument> = alice.documents(id, "?limit=100").await;
    assert_eq!(documents.items.len(), 21);
    assert!(
        documents
            .items
            .iter()
            .all(|d| d.attributes["Source"].contains("CC-BY"))
    );
    assert!(
        documents.items.iter().all(|d| d.coded > 0),
        "every interview is coded"
    );

    let codes: Vec<Code> = alice.codebook(id).await;
    assert_eq!(codes.len(), 13);
    assert_eq!(codes.iter().filter(|c| c.parent_id.is_none()).count(), 4);
    assert!(codes.iter().all(|c| !c.description.is_empty()));

    let report: Value = alice
        .get_ok(&format!(
            "/projects/{id}/agreement?coders=demo-amira,demo-ben"
        ))
        .await;
    let coders: Vec<&str> = report["coders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(coders, ["demo-amira", "demo-ben"]);
    let alphas: Vec<f64> = report["codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["krippendorff_alpha"].as_f64())
        .collect();
    assert!(alphas.len() >= 8, "{report}");
    assert!(
        alphas.iter().all(|a| *a < 0.999) && alphas.iter().any(|a| *a > 0.3),
        "realistic, imperfect agreement: {alphas:?}"
    );

    let checking = codes.iter().find(|c| c.name == "Checking output").unwrap();
    let path = format!(
        "/projects/{id}/agreement/disagreements?coders=demo-amira,demo-ben&code={}",
        checking.id
    );
    let disagreements: Value = alice.get_ok(&path).await;
    assert!(!disagreements["regions"].as_array().unwrap().is_empty());

    let consensus: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM excerpts WHERE project_id = ? AND consensus")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(consensus > 5, "part of the coding is adjudicated");

    let csv = alice
        .request(
            reqwest::Method::GET,
            &format!("/projects/{id}/excerpts.csv"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("demo-amira") && csv.contains("demo-ben") && csv.contains("Trust"));
}

#[tokio::test]
async fn demo_coders_cannot_sign_in_and_the_demo_deletes_like_any_project() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let (_, home) = browser.page("/").await;
    assert!(
        home.contains("Try a demo project"),
        "the empty home page offers the demo"
    );

    let response = browser.submit("/", "/projects/demo", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let project = location(&response);
    let id: i64 = project.trim_start_matches("/projects/").parse().unwrap();
    let (status, page) = browser.page(&project).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Demo: AI at work") && page.contains("CC-BY"));
    let (_, home) = browser.page("/").await;
    assert!(
        !home.contains("Try a demo project"),
        "offered only on an empty home page"
    );

    for coder in ["demo-amira", "demo-ben"] {
        for password in ["", "!imported", "correct horse battery"] {
            let attempt = Browser::new(&app.base).sign_in(coder, password).await;
            assert_ne!(
                attempt.status(),
                StatusCode::SEE_OTHER,
                "{coder} must not sign in with {password:?}"
            );
        }
    }

    let wrong = browser
        .submit(
            &project,
            &format!("{project}/delete"),
            &[("confirm", "Demo")],
        )
        .await;
    let settings = format!("{project}/settings");
    assert_eq!(location(&wrong), settings, "a wrong name goes back");
    let (_, page) = browser.page(&settings).await;
    assert!(page.contains("id=\"delete-confirm-error\""), "says why");
    assert_eq!(app.document_count().await, 21);
    let deleted = browser
        .submit(
            &project,
            &format!("{project}/delete"),
            &[("confirm", "Demo: AI at work")],
        )
        .await;
    assert_eq!(location(&deleted), "/");
    assert_eq!(app.document_count().await, 0);
    assert_eq!(browser.page(&project).await.0, StatusCode::NOT_FOUND);
    for table in ["codes", "excerpts", "adjudications", "project_members"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE project_id = ?");
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(left, 0, "{table}");
    }
}

#[tokio::test]
async fn only_owners_delete_a_project_and_only_with_its_name() {
    let app = spawn_app().await;
    let alice = app.api_user("alice").await;
    let id = alice.create_project("Pilot").await;
    let bob = app.api_user("bob").await;
    alice.add_member(id, "bob", "coder").await;
    let (status, body) = bob.delete(&format!("/projects/{id}?confirm=Pilot")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = alice.delete(&format!("/projects/{id}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "invalid");
    let (status, _) = alice.delete(&format!("/projects/{id}?confirm=Pilot")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        alice.get(&format!("/projects/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn gloss_demo_creates_the_demo_project_for_a_user() {
    use crate::cli::{gloss, gloss_ok};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gloss.db");
    gloss_ok(&db, &["user", "add", "ada"], "a long password\n");
    let printed = gloss_ok(&db, &["demo", "--owner", "ada"], "");
    let again = gloss_ok(&db, &["demo", "--owner", "ada"], "");
    assert_ne!(printed.trim(), again.trim(), "each run makes a new project");
    let unknown = gloss(&db, &["demo", "--owner", "nobody"], "");
    assert!(!unknown.status.success(), "an unknown owner is refused");

    let store = gloss::db::open(&db).await.unwrap();
    let id: i64 = printed.trim().parse().expect("the project id is printed");
    let documents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE project_id = ?")
        .bind(id)
        .fetch_one(&store)
        .await
        .unwrap();
    assert_eq!(documents, 21);
    let coders: Vec<String> =
        sqlx::query_scalar("SELECT username FROM users WHERE username LIKE 'demo-%' ORDER BY id")
            .fetch_all(&store)
            .await
            .unwrap();
    assert_eq!(
        coders,
        ["demo-amira", "demo-ben", "demo-amira-2", "demo-ben-2"],
        "a second demo has coders of its own"
    );
}

#[tokio::test]
async fn empty_states_say_what_to_do_next() {
    let app = spawn_app().await;
    let olga = app.api_user("olga").await;
    let project = olga.create_project("Pilot").await;
    let browser = app.browser_signed_in("olga").await;
    let (_, page) = browser.page(&format!("/projects/{project}")).await;
    assert!(page.contains("No documents yet") && page.contains("Import transcripts"));
    assert!(
        page.contains("action=\"/projects/demo\""),
        "offers the demo"
    );
    let (_, codebook) = browser.page(&format!("/projects/{project}/codes")).await;
    assert!(codebook.contains("No codes yet") && codebook.contains("import a codebook"));
    let agreement = format!("/projects/{project}/agreement");
    let (_, report) = browser.page(&agreement).await;
    assert!(report.contains("Nothing to compare yet") && report.contains("Nobody has coded"));

    let document = olga
        .create_document(project, "One", "User: hello there\n")
        .await;
    let code = olga
        .create_code(project, serde_json::json!({ "name": "Greeting" }))
        .await;
    olga.create_excerpt(document, 0, 4, &[code.id]).await;
    let (_, report) = browser.page(&agreement).await;
    assert!(
        report.contains("only olga has coded"),
        "one coder: why nothing to compute"
    );
    let (_, page) = browser.page(&format!("/projects/{project}")).await;
    assert!(!page.contains("No documents yet"));

    app.create_user("cody", false).await;
    olga.add_member(project, "cody", "coder").await;
    let cody = app.api_for("cody").await;
    cody.create_excerpt(document, 5, 10, &[code.id]).await;
    let (_, report) = browser.page(&agreement).await;
    assert!(!report.contains("Nothing to compare yet"));
    assert!(report.contains("Choose two or more coders"));
}

/// The tab links of a project page, as `(label, current)`.
fn tabs(html: &str) -> Vec<(String, bool)> {
    let nav = &html[html.find("aria-label=\"Project sections\"").expect("tabs")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<a ")
        .skip(1)
        .map(|link| {
            let label = link[link.find('>').unwrap() + 1..link.find("</a>").unwrap()].to_owned();
            (label, link.contains("aria-current=\"page\""))
        })
        .collect()
}

#[tokio::test]
async fn the_project_is_split_into_sections_each_a_page_with_its_tab_current() {
    let app = spawn_app().await;
    let olga = app.api_user("olga").await;
    let project = olga.create_project("Pilot").await;
    app.create_user("cody", false).await;
    olga.add_member(project, "cody", "coder").await;
    let owner = app.browser_signed_in("olga").await;
    let sections = [
        ("", "Documents"),
        ("/codes", "Codebook"),
        ("/analysis", "Analysis"),
        ("/search", "Search"),
        ("/agreement", "Agreement"),
        ("/progress", "Progress"),
        ("/export", "Export"),
        ("/members", "Members"),
        ("/activity", "Activity"),
        ("/settings", "Settings"),
    ];
    for (path, label) in sections {
        let (status, html) = owner.page(&format!("/projects/{project}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let tabs = tabs(&html);
        let labels: Vec<&str> = tabs.iter().map(|(l, _)| l.as_str()).collect();
        let all: Vec<&str> = sections.iter().map(|(_, l)| *l).collect();
        assert_eq!(labels, all, "an owner sees every section");
        let current: Vec<&str> = tabs.iter().filter(|t| t.1).map(|t| t.0.as_str()).collect();
        assert_eq!(current, [label], "{path}");
    }
    let (_, html) = owner.page(&format!("/projects/{project}/settings")).await;
    assert!(html.contains("Save settings") && html.contains("Delete project"));
    let (_, html) = owner.page(&format!("/projects/{project}/members")).await;
    assert!(html.contains("cody") && html.contains("Invite or change member"));
    let (_, html) = owner.page(&format!("/projects/{project}/export")).await;
    assert!(html.contains("Coded excerpts (CSV)"));

    let coder = app.browser_signed_in("cody").await;
    let (_, html) = coder.page(&format!("/projects/{project}")).await;
    let labels: Vec<String> = tabs(&html).into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        [
            "Documents",
            "Codebook",
            "Analysis",
            "Search",
            "Export",
            "Members"
        ]
    );
    let (status, _) = coder.page(&format!("/projects/{project}/settings")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "settings are for owners");
    let (_, html) = coder.page(&format!("/projects/{project}/members")).await;
    assert!(
        !html.contains("Invite or change member"),
        "coders only see the list"
    );
}

#[tokio::test]
async fn the_document_list_searches_filters_sorts_and_pages_on_the_server() {
    let app = spawn_app().await;
    let olga = app.api_user("olga").await;
    let (_, project) = olga.post("/projects/demo", Value::Null).await;
    let id = project["id"].as_i64().unwrap();
    let browser = app.browser_signed_in("olga").await;
    let list = |query: &str| format!("/projects/{id}?{query}");
    let (_, html) = browser.page(&list("q=work_0045")).await;
    assert!(html.contains("1 of 21 documents") && html.contains("work_0045"));
    assert!(!html.contains(">work_0001<"), "the search narrows the list");
    let (_, html) = browser.page(&list("per_page=25&sort=title")).await;
    assert!(html.contains("page 1 of 1") && html.contains("aria-sort=\"ascending\""));
    let (_, html) = browser.page(&list("coded=no")).await;
    assert!(
        html.contains("No document matches"),
        "every demo interview is coded"
    );
    let (_, html) = browser
        .page(&list("sort=length&dir=desc&per_page=25"))
        .await;
    assert!(html.contains("aria-sort=\"descending\""));
    assert!(
        html.contains("class=\"muted beside\""),
        "a line beside id-like titles"
    );
    let (status, _) = browser
        .page(&list("page=abc&sort=nonsense&per_page=7"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "unknown values fall back to the defaults"
    );
}
