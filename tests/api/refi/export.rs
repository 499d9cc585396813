//! Exports: the `.qdc` and `.qdpx` validate against the REFI schemas, GUIDs are stable,
//! every selection covers exactly its excerpt's text, filters, blind coding and
//! membership apply.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{assert_valid, attribute_values, download, selections, slice, unzip};
use crate::helpers::{Study, study};

/// A study with a hierarchy of coloured, defined codes, excerpts by alice, bob and the
/// consensus set (emoji, combining accents, one across two turns), memos with markup,
/// and a second document with attributes.
pub(super) async fn coded_study() -> (Study, Vec<i64>) {
    let s = study().await;
    let trust = s
        .owner
        .create_code(s.project, json!({ "name": "Trust & <doubt", "color": "#aa3300", "description": "Where a participant says \"trust\".\nSecond line." }))
        .await
        .id;
    let drafts = s.sub_code(trust, "Drafts").await;
    let deep = s.sub_code(drafts, "Deeper").await;
    let other = s.code(&s.owner, "Decisions").await;
    s.excerpt(&s.alice, "Honestly 💛 I trust it", &[trust, drafts])
        .await;
    s.excerpt(&s.alice, "café owner 😂", &[deep]).await;
    s.excerpt(&s.bob, "Honestly 💛 I trust it for drafts", &[trust])
        .await;
    let memo = s.excerpt(&s.bob, "Why not decisions?", &[other]).await;
    let (status, body) = s
        .bob
        .patch(
            &format!("/excerpts/{}", memo.id),
            json!({ "memo": "Asks <why> & \"how\"", "version": memo.version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Across a turn boundary: "…think.\n\nInterviewer: Why not…".
    let (a, _) = s.find("It helps me think.");
    let (_, b) = s.find("Why not decisions?");
    s.alice.create_excerpt(s.document, a, b, &[other]).await;
    let (c, d) = s.find("decides, and so do I.");
    s.consensus_excerpt(c, d, &[other]).await;
    let second = s.another_document().await;
    let (status, body) = s
        .owner
        .patch(
            &format!("/documents/{second}"),
            json!({ "attributes": { "site": "Leeds", "wave": "2" } }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    // Combining marks NFC cannot compose, a ZWJ family and a flag.
    let text =
        "Interviewer: Say it.\n\nUser: q\u{301}ue\u{323}\u{302} 👩\u{200d}👩\u{200d}👧 🇬🇧 done.";
    let third = s.owner.create_document(s.project, "P3", text).await;
    let stored = s.owner.document(third).await.text;
    let (a, _) = crate::helpers::span_of(&stored, "q\u{301}");
    let (_, b) = crate::helpers::span_of(&stored, "🇬🇧");
    s.alice.create_excerpt(third, a, b, &[deep]).await;
    (s, vec![trust, drafts, deep, other])
}

pub(super) async fn qdpx(
    s: &Study,
    api: &crate::helpers::Api,
    query: &str,
) -> std::collections::HashMap<String, Vec<u8>> {
    let (status, bytes) =
        download(api, &format!("/projects/{}/project.qdpx{query}", s.project)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    unzip(&bytes)
}

#[tokio::test]
async fn the_codebook_qdc_validates_nests_and_keeps_its_guids() {
    let (s, _) = coded_study().await;
    let path = format!("/projects/{}/codebook.qdc", s.project);
    let (status, first) = download(&s.owner, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_valid(&first, "Codebook.xsd");
    let xml = String::from_utf8(first.clone()).unwrap();
    assert!(xml.contains("name=\"Trust &amp; &lt;doubt\""), "{xml}");
    assert!(xml.contains("color=\"#aa3300\""), "{xml}");
    assert!(
        xml.contains(
            "<Description>Where a participant says \"trust\".\nSecond line.</Description>"
        ),
        "{xml}"
    );
    let nested = xml.find("name=\"Deeper\"").unwrap();
    let closes_before = xml[..nested].matches("</Code>").count();
    assert_eq!(closes_before, 0, "Deeper sits inside Trust > Drafts: {xml}");
    // A second export (after another change) names every code with the same GUID.
    s.code(&s.owner, "Later").await;
    let (_, second) = download(&s.owner, &path).await;
    let guids = |x: &[u8]| attribute_values(x, "Code", "guid");
    assert_eq!(guids(&first)[..], guids(&second)[..4]);
    assert_eq!(guids(&second).len(), 5);
    // Members of another project get 404, and an empty codebook a clear 409.
    let outsider = s.app.api_user("mallory").await;
    let (status, _) = download(&outsider, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let empty = s.owner.create_project("Empty").await;
    let (status, body) = download(&s.owner, &format!("/projects/{empty}/codebook.qdc")).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[tokio::test]
async fn the_project_qdpx_validates_and_every_selection_covers_its_excerpt() {
    let (s, codes) = coded_study().await;
    let files = qdpx(&s, &s.owner, "").await;
    let qde = &files["project.qde"];
    assert_valid(qde, "Project-mrt2019.xsd");
    let document = s.owner.document(s.document).await;
    let turn_labels = ["Interviewer: ", "User: "];
    let mut all = Vec::new();
    for document in s.owner.documents(s.project, "").await.items {
        all.extend(s.owner.excerpts(document.id, "").await.items);
    }
    assert!(all.iter().any(|e| e.consensus) && all.iter().any(|e| e.text.contains('\u{301}')));
    let exported = selections(qde);
    assert_eq!(
        exported.len(),
        all.len(),
        "every excerpt, the consensus set included"
    );
    let users = attribute_values(qde, "User", "name");
    for name in ["alice", "bob", "olga", "consensus"] {
        assert!(users.contains(&name.to_owned()), "{name} in {users:?}");
    }
    let user_guids = attribute_values(qde, "User", "guid");
    for selection in &exported {
        let path = selection.source_path.strip_prefix("internal://").unwrap();
        let text = String::from_utf8(files[&format!("sources/{path}")].clone()).unwrap();
        assert!(!text.starts_with('\u{feff}') && !text.contains('\r'));
        let covered = slice(&text, selection.start, selection.end);
        // An excerpt across turns also covers the next turn's label; nothing else differs.
        let mut without_labels = covered.clone();
        for label in turn_labels {
            if let Some(at) = without_labels.find(&format!("\n\n{label}")) {
                without_labels.replace_range(at + 2..at + 2 + label.len(), "");
            }
        }
        assert!(
            all.iter().any(|e| e.text == without_labels),
            "selection [{}, {}) covers {covered:?}, which is no excerpt's text",
            selection.start,
            selection.end
        );
        assert!(user_guids.contains(&selection.creating_user));
    }
    // The first document's transcript: labels at each turn, blank lines between turns.
    let txt = files.iter().find(|(name, content)| {
        name.starts_with("sources/") && String::from_utf8_lossy(content).contains("café owner")
    });
    let txt = String::from_utf8(txt.unwrap().1.clone()).unwrap();
    assert!(txt.starts_with("Interviewer: How do you feel"), "{txt}");
    assert!(txt.contains("\n\nUser: Honestly 💛"), "{txt}");
    let labels = txt.matches("Interviewer: ").count() + txt.matches("User: ").count();
    assert_eq!(labels, document.turn_count);
    let with_memo = exported
        .iter()
        .find(|sel| !sel.description.is_empty())
        .unwrap();
    assert_eq!(with_memo.description, "Asks <why> & \"how\"");
    let code_guids = attribute_values(qde, "Code", "guid");
    assert_eq!(code_guids.len(), codes.len());
    assert!(
        exported
            .iter()
            .all(|sel| sel.code_refs.iter().all(|g| code_guids.contains(g)))
    );
    // Attributes as variables, a case per document.
    assert_eq!(attribute_values(qde, "Variable", "name"), ["site", "wave"]);
    assert_eq!(attribute_values(qde, "Case", "guid").len(), 3);
}

#[tokio::test]
async fn two_exports_share_every_guid() {
    let (s, _) = coded_study().await;
    let first = qdpx(&s, &s.owner, "").await;
    let second = qdpx(&s, &s.owner, "").await;
    for element in [
        "User",
        "Code",
        "TextSource",
        "PlainTextSelection",
        "Coding",
        "Variable",
        "Case",
    ] {
        let a = attribute_values(&first["project.qde"], element, "guid");
        assert!(!a.is_empty(), "{element}");
        assert_eq!(
            a,
            attribute_values(&second["project.qde"], element, "guid"),
            "{element}"
        );
    }
    let mut names: Vec<&String> = first.keys().collect();
    names.sort();
    let mut again: Vec<&String> = second.keys().collect();
    again.sort();
    assert_eq!(names, again);
}

#[tokio::test]
async fn filters_blind_coding_and_membership_apply() {
    let (s, codes) = coded_study().await;
    let only_bob = qdpx(&s, &s.owner, "?coders=bob").await;
    let bob_guid = {
        let qde = &only_bob["project.qde"];
        assert_valid(qde, "Project-mrt2019.xsd");
        assert_eq!(attribute_values(qde, "User", "name"), ["bob"]);
        attribute_values(qde, "User", "guid")[0].clone()
    };
    let bobs = selections(&only_bob["project.qde"]);
    assert_eq!(bobs.len(), 2);
    assert!(bobs.iter().all(|sel| sel.creating_user == bob_guid));
    let one_code = qdpx(&s, &s.owner, &format!("?codes={}", codes[3])).await;
    assert_eq!(selections(&one_code["project.qde"]).len(), 3);
    let participants = qdpx(&s, &s.owner, "?role=interviewer").await;
    // Only the excerpt over "Why not decisions?" and the one across turns touch the
    // interviewer's turns.
    assert_eq!(selections(&participants["project.qde"]).len(), 2);
    s.code_blind().await;
    let alices = qdpx(&s, &s.alice, "").await;
    assert_eq!(
        attribute_values(&alices["project.qde"], "User", "name"),
        ["alice"]
    );
    assert_eq!(selections(&alices["project.qde"]).len(), 4);
    let (status, _) = download(
        &s.alice,
        &format!("/projects/{}/project.qdpx?coders=bob", s.project),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let outsider = s.app.api_user("mallory").await;
    let (status, _) = download(&outsider, &format!("/projects/{}/project.qdpx", s.project)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = download(
        &s.owner,
        &format!("/projects/{}/project.qdpx?documents=999", s.project),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
