//! Projects and members through the API and the pages, with access control.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, Browser, Page, error_code, error_of, spawn_app};

#[tokio::test]
async fn owner_creates_lists_reads_and_changes_a_project() {
    let app = spawn_app().await;
    let alice = app.api_user("alice").await;
    let (status, created) = alice
        .post(
            "/projects",
            json!({ "name": "  Pilot study ", "description": "Ten interviews" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_i64().expect("project id");
    assert_eq!(created["name"], "Pilot study");
    assert_eq!(created["role"], "owner");
    assert_eq!(created["blind_coding"], false);

    let list: Page<Value> = alice.get_ok("/projects").await;
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0]["id"], id);

    let (status, changed) = alice
        .patch(
            &format!("/projects/{id}"),
            json!({ "name": "Main study", "blind_coding": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Main study");
    assert_eq!(
        changed["description"], "Ten interviews",
        "untouched fields stay"
    );
    assert_eq!(changed["blind_coding"], true);

    let (status, archived) = alice
        .patch(&format!("/projects/{id}"), json!({ "archived": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["archived"], true);
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE project_id = ?")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(events, 3, "creation and both updates are audited");
}

#[tokio::test]
async fn invalid_project_input_gets_clear_errors() {
    let app = spawn_app().await;
    let alice = app.api_user("alice").await;
    let (status, body) = alice.post("/projects", json!({ "name": "   " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "invalid");
    assert_eq!(error_of(&body).field.as_deref(), Some("name"));

    let (status, body) = alice.post("/projects", json!({ "title": "typo" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&body).message.contains("title"), "{body}");

    let response = alice
        .request(Method::POST, "/projects")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = alice
        .request(Method::POST, "/projects")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let (status, body) = alice.get("/projects/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
    let (status, _) = alice.get("/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let huge = "x".repeat(3 * 1024 * 1024);
    let (status, body) = alice
        .post("/projects", json!({ "name": "big", "description": huge }))
        .await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status} {body}"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_method_a_route_does_not_take_gets_a_json_405() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let response = api
        .request(Method::DELETE, "/projects")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let (_, body) = crate::helpers::json_of(response).await;
    assert_eq!(error_code(&body), "method_not_allowed");
    assert!(
        error_of(&body)
            .message
            .starts_with("DELETE is not possible here"),
        "{body}"
    );
}

#[tokio::test]
async fn non_members_get_404_for_every_project_page_and_resource() {
    let app = spawn_app().await;
    let alice = app.api_user("alice").await;
    let eve = app.api_user("eve").await;
    let id = alice.create_project("Secret").await;

    for (method, path) in [
        (Method::GET, format!("/projects/{id}")),
        (Method::PATCH, format!("/projects/{id}")),
        (Method::GET, format!("/projects/{id}/members")),
        (Method::POST, format!("/projects/{id}/members")),
        (Method::DELETE, format!("/projects/{id}/members/alice")),
    ] {
        let response = eve
            .request(method.clone(), &path)
            .json(&json!({ "username": "eve", "role": "owner", "name": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (_, list) = eve.get("/projects").await;
    assert_eq!(list["projects"], json!([]));

    let browser = app.browser_signed_in("eve").await;
    let (status, html) = browser.page(&format!("/projects/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Secret"));
    let response = browser
        .submit(
            "/",
            &format!("/projects/{id}/settings"),
            &[("name", "Hijacked")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, project) = alice.get(&format!("/projects/{id}")).await;
    assert_eq!(project["name"], "Secret");

    every_page_and_form_under_the_project_is_not_found(&alice, &browser, id).await;
}

/// Every page and form under the project, its documents and codes, answers a non-member
/// (signed in as `browser`) "not found", shows nothing and changes nothing.
async fn every_page_and_form_under_the_project_is_not_found(
    alice: &Api,
    browser: &Browser,
    id: i64,
) {
    let doc = alice
        .create_document(id, "Secret interview", "User: confidential")
        .await;
    let code = alice
        .create_code(id, json!({ "name": "Secret code" }))
        .await
        .id;
    for path in [
        format!("/projects/{id}/activity"),
        format!("/projects/{id}/agreement"),
        format!(
            "/projects/{id}/agreement/compare?coders=alice,eve&code={code}&document={doc}&start=0&end=4"
        ),
        format!("/projects/{id}/codes"),
        format!("/projects/{id}/imports/1"),
        format!("/documents/{doc}"),
        format!("/codes/{code}"),
    ] {
        let (status, html) = browser.page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(
            !html.contains("Secret") && !html.contains("confidential"),
            "GET {path}"
        );
    }
    for path in [
        format!("/projects/{id}/members"),
        format!("/projects/{id}/speakers"),
        format!("/projects/{id}/codes"),
        format!("/projects/{id}/agreement/decide"),
        format!("/documents/{doc}/edit"),
        format!("/documents/{doc}/delete"),
        format!("/codes/{code}/edit"),
        format!("/codes/{code}/delete"),
        format!("/codes/{code}/merge"),
    ] {
        let response = browser
            .submit(
                "/",
                &path,
                &[("name", "x"), ("username", "eve"), ("role", "owner")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    let (status, _) = alice.get(&format!("/documents/{doc}")).await;
    assert_eq!(status, StatusCode::OK, "nothing was deleted");
    assert_eq!(
        alice.code(code).await.name,
        "Secret code",
        "nothing was renamed"
    );
}

#[tokio::test]
async fn viewers_cannot_modify_and_coders_cannot_manage_members() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let coder = app.api_user("cody").await;
    let viewer = app.api_user("vera").await;
    app.create_user("newbie", false).await;
    let id = owner.create_project("Study").await;
    owner.add_member(id, "cody", "coder").await;
    owner.add_member(id, "vera", "viewer").await;

    let (status, project) = viewer.get(&format!("/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["role"], "viewer");
    let (status, body) = viewer
        .patch(&format!("/projects/{id}"), json!({ "name": "Mine now" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = coder
        .patch(&format!("/projects/{id}"), json!({ "blind_coding": true }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = coder
        .post(
            &format!("/projects/{id}/members"),
            json!({ "username": "newbie", "role": "owner" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = coder.delete(&format!("/projects/{id}/members/vera")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer
        .post(
            &format!("/projects/{id}/members"),
            json!({ "username": "vera", "role": "owner" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let roles: Vec<(String, String)> = owner
        .members(id)
        .await
        .into_iter()
        .map(|m| (m.username, m.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("olga".into(), "owner".into()),
            ("cody".into(), "coder".into()),
            ("vera".into(), "viewer".into())
        ]
    );

    // The pages enforce the same rules.
    let browser = app.browser_signed_in("cody").await;
    let response = browser
        .submit(
            &format!("/projects/{id}"),
            &format!("/projects/{id}/members"),
            &[("username", "newbie"), ("role", "owner")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&format!("/projects/{id}")).await;
    assert!(
        html.contains("Only project owners can manage members"),
        "error flashed"
    );
    assert_eq!(owner.members(id).await.len(), 3);
}

#[tokio::test]
async fn owners_manage_members_but_never_remove_the_last_owner() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    app.create_user("cody", false).await;
    let id = owner.create_project("Study").await;

    let (status, body) = owner
        .post(
            &format!("/projects/{id}/members"),
            json!({ "username": "cody", "role": "boss" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field.as_deref(), Some("role"));

    owner.add_member(id, "cody", "viewer").await;
    let (status, member) = owner
        .post(
            &format!("/projects/{id}/members"),
            json!({ "username": "cody", "role": "coder" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a member's role changes at once"
    );
    assert_eq!(
        (member["username"].as_str(), member["role"].as_str()),
        (Some("cody"), Some("coder"))
    );
    assert!(member["id"].as_i64().is_some());

    let (status, body) = owner.delete(&format!("/projects/{id}/members/olga")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = owner
        .post(
            &format!("/projects/{id}/members"),
            json!({ "username": "olga", "role": "coder" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "last owner cannot step down");

    owner.add_member(id, "cody", "owner").await;
    let (status, _) = owner.delete(&format!("/projects/{id}/members/olga")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = owner.get(&format!("/projects/{id}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a removed member loses access at once"
    );
    let (status, _) = owner
        .delete(&format!("/projects/{id}/members/nobody"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn project_pages_show_projects_and_apply_settings() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let response = browser
        .submit(
            "/",
            "/projects",
            &[("name", "<b>Interviews</b>"), ("description", "")],
        )
        .await;
    let to = crate::helpers::location(&response);
    assert!(to.starts_with("/projects/"));
    let (status, html) = browser.page(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("&#60;b&#62;Interviews&#60;/b&#62;"),
        "names are escaped"
    );
    assert!(!html.contains("<b>Interviews</b>"));

    let response = browser
        .submit(
            &to,
            &format!("{to}/settings"),
            &[
                ("name", "Renamed"),
                ("description", "About"),
                ("blind_coding", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&to).await;
    assert!(
        html.contains("Renamed")
            && html.contains("Project settings saved")
            && html.contains("blind coding")
    );

    let response = browser
        .submit(&to, &format!("{to}/settings"), &[("name", "")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&to).await;
    assert!(
        html.contains("Enter a project name"),
        "validation message flashed"
    );
}

#[tokio::test]
async fn the_activity_log_records_who_changed_what() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let coder = app.api_user("cody").await;
    let id = owner.create_project("Logged").await;
    owner.add_member(id, "cody", "coder").await;
    owner
        .patch(&format!("/projects/{id}"), json!({ "blind_coding": true }))
        .await;
    let log: Page<Value> = owner
        .get_ok(&format!("/projects/{id}/events?limit=2"))
        .await;
    let events = &log.items;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "project.updated", "newest first");
    assert_eq!(events[0]["username"], "olga");
    assert_eq!(events[1]["kind"], "invitation.accepted");
    assert_eq!(events[1]["username"], "cody", "the invitee accepted");
    let cursor = log.next_cursor.expect("an older page");
    let older: Page<Value> = owner
        .get_ok(&format!("/projects/{id}/events?cursor={cursor}"))
        .await;
    let older_kinds: Vec<&str> = older
        .items
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(older_kinds, ["member.invited", "project.created"]);
    assert_eq!(older.next_cursor, None);
    let (status, _) = coder.get(&format!("/projects/{id}/events")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "coders do not read the log (blind coding)"
    );
    let browser = app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&format!("/projects/{id}/activity")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("project.created") && html.contains("member.invited"));
    // The page says each change in words, from the typed event, with who made it.
    assert!(
        html.contains("<strong>olga</strong> created the project “Logged”."),
        "{html}"
    );
    assert!(html.contains("<strong>olga</strong> invited cody to join as coder."));
    assert!(html.contains("<strong>olga</strong> turned blind coding on."));
}

#[tokio::test]
async fn malformed_paths_and_queries_get_the_usual_error_format() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let id = api.create_project("Shapes").await;
    for path in [
        format!("/projects/{id}/documents?limit=99999999999999999999"),
        format!("/projects/{id}/documents?limit=abc"),
        "/projects/abc".to_owned(),
    ] {
        let (status, body) = api.get(&path).await;
        assert!(status.is_client_error(), "{path}: {status}");
        crate::helpers::error_code(&body);
    }
    let browser = app.browser_signed_in("olga").await;
    for path in [
        "/projects/abc".to_owned(),
        format!("/projects/{id}/imports/abc"),
        format!("/projects/{id}/activity?before=x"),
    ] {
        let response = browser.get(&path).await;
        assert!(response.status().is_client_error(), "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
    }
}
