//! Joining a project takes the invitee's consent, and adding someone reveals nothing about
//! which accounts exist (issue 16, item 8).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, error_of, location, spawn_app};

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn an_invited_user_sees_nothing_until_they_accept() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let bob = app.api_user("bob").await;
    let project = owner.create_project("Titled by olga").await;

    let (status, invitation) = owner
        .post(
            &format!("/projects/{project}/members"),
            json!({ "username": "bob", "role": "coder" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{invitation}");
    assert_eq!(invitation["invited_by"], "olga");
    let (status, _) = bob.get(&format!("/projects/{project}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not a member before accepting"
    );
    let members: Vec<String> = owner
        .members(project)
        .await
        .into_iter()
        .map(|m| m.username)
        .collect();
    assert_eq!(members, ["olga"], "an invitation is not a membership");

    let (_, mine) = bob.get("/invitations").await;
    let waiting = &mine["invitations"][0];
    assert_eq!(
        (
            waiting["project_name"].as_str(),
            waiting["invited_by"].as_str()
        ),
        (Some("Titled by olga"), Some("olga")),
        "the invitee sees the project and who invited them"
    );
    let (status, joined) = bob
        .post(&format!("/invitations/{}/accept", waiting["id"]), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["project_id"], project);
    let (status, seen) = bob.get(&format!("/projects/{project}")).await;
    assert_eq!(
        (status, seen["role"].as_str()),
        (StatusCode::OK, Some("coder"))
    );
    let (_, mine) = bob.get("/invitations").await;
    assert_eq!(mine["invitations"], json!([]), "settled");
    let (_, owners_view) = owner.get(&format!("/projects/{project}/invitations")).await;
    assert_eq!(owners_view["invitations"], json!([]));
}

#[tokio::test]
async fn inviting_a_name_nobody_has_looks_like_inviting_one_that_exists() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    app.create_user("bob", false).await;
    let project = owner.create_project("Probe").await;
    let members = format!("/projects/{project}/members");
    let invite = |name: &str| owner.post(&members, json!({ "username": name, "role": "viewer" }));
    let (exists_status, exists) = invite("bob").await;
    let (ghost_status, ghost) = invite("ghost").await;
    assert_eq!(exists_status, StatusCode::ACCEPTED);
    assert_eq!(ghost_status, exists_status, "same status: {ghost}");
    assert_eq!(keys(&ghost), keys(&exists), "same shape");
    assert_eq!(ghost["username"], "ghost");
    // A malformed name is refused the same way whether or not anyone has it.
    let (status, body) = invite("not a name!").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field.as_deref(), Some("username"));

    // The invitation waits for the name: an account made later finds it.
    let ghost_user = app.api_user("ghost").await;
    let (_, mine) = ghost_user.get("/invitations").await;
    assert_eq!(mine["invitations"][0]["project_id"], project);
}

#[tokio::test]
async fn invitations_can_be_declined_and_withdrawn_and_are_nobody_elses() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let bob = app.api_user("bob").await;
    let eve = app.api_user("eve").await;
    let project = owner.create_project("Consent").await;
    let members = format!("/projects/{project}/members");
    let (_, first) = owner
        .post(&members, json!({ "username": "bob", "role": "coder" }))
        .await;
    let accept = format!("/invitations/{}/accept", first["id"]);
    let (status, _) = eve.post(&accept, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "someone else's invitation");

    let (status, _) = bob
        .post(&format!("/invitations/{}/decline", first["id"]), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = bob.post(&accept, json!({})).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a declined invitation is gone"
    );
    assert_eq!(
        bob.get(&format!("/projects/{project}")).await.0,
        StatusCode::NOT_FOUND
    );

    let (_, second) = owner
        .post(&members, json!({ "username": "bob", "role": "coder" }))
        .await;
    let (status, _) = eve
        .delete(&format!("/projects/{project}/invitations/{}", second["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "non-members cannot withdraw");
    let (status, _) = owner
        .delete(&format!("/projects/{project}/invitations/{}", second["id"]))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = bob
        .post(&format!("/invitations/{}/accept", second["id"]), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a withdrawn invitation is gone"
    );

    let (_, log) = owner.get(&format!("/projects/{project}/events")).await;
    let kinds: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "invitation.withdrawn",
            "member.invited",
            "invitation.declined",
            "member.invited",
            "project.created"
        ]
    );
}

#[tokio::test]
async fn administrators_add_members_directly_and_learn_of_unknown_names() {
    let app = spawn_app().await;
    app.create_user("root", true).await;
    let admin = app.api_for("root").await;
    let bob = app.api_user("bob").await;
    let project = admin.create_project("Run by an admin").await;
    let members = format!("/projects/{project}/members");
    let (status, member) = admin
        .post(&members, json!({ "username": "bob", "role": "coder" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(
        bob.get(&format!("/projects/{project}")).await.0,
        StatusCode::OK
    );
    let (status, body) = admin
        .post(&members, json!({ "username": "ghost", "role": "coder" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_of(&body).message.contains("no user named 'ghost'"),
        "{body}"
    );
}

#[tokio::test]
async fn the_pages_invite_and_the_invitee_accepts_from_their_home_page() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    app.create_user("bob", false).await;
    let project = owner.create_project("Paged").await;
    let olga = app.browser_signed_in("olga").await;
    let page = format!("/projects/{project}/members");
    let response = olga
        .submit(
            &page,
            &format!("/projects/{project}/members"),
            &[("username", "bob"), ("role", "coder")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = olga.page(&page).await;
    assert!(
        html.contains("Invited bob to join as coder"),
        "flash says so"
    );
    assert!(html.contains("Invited, not yet joined"), "pending list");

    let bob = Browser::new(&app.base);
    assert_eq!(
        bob.sign_in("bob", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, home) = bob.page("/").await;
    assert!(
        home.contains("olga invited you to join this project as coder"),
        "{home}"
    );
    let (_, mine) = app.api_for("bob").await.get("/invitations").await;
    let id = &mine["invitations"][0]["id"];
    let response = bob
        .submit("/", &format!("/invitations/{id}/accept"), &[])
        .await;
    let project_page = format!("/projects/{project}");
    assert_eq!(location(&response), project_page, "straight to the project");
    let (status, _) = bob.page(&project_page).await;
    assert_eq!(status, StatusCode::OK);
}
