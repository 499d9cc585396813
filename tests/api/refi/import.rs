//! Imports: every sample in `shared/refi/samples/` (the MIT ones copied into fixtures),
//! offset-model detection on NVivo's file, hostile archives, and what is reported.

use reqwest::StatusCode;
use serde_json::Value;

use super::support::{fixture, import, shared_sample, zip_of};
use crate::helpers::spawn_app;

fn nvivo_12_archive() -> Vec<u8> {
    let qde = std::fs::read(fixture("nvivo-12.6-win/project.qde")).unwrap();
    let name = "Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt";
    let txt = std::fs::read(fixture(&format!("nvivo-12.6-win/{name}"))).unwrap();
    zip_of(&[("project.qde", &qde), (name, &txt)])
}

async fn project_count(api: &crate::helpers::Api) -> usize {
    let (_, body) = api.get("/projects").await;
    body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn nvivo_12_imports_with_utf16_offsets_and_reports_the_missing_source() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let (status, body) = import(&api, nvivo_12_archive(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let summary = &body["summary"];
    assert_eq!(summary["documents"], 1, "{summary}");
    let source = &summary["sources"][0];
    assert!(
        source["offset_model"].as_str().unwrap().contains("UTF-16"),
        "{source}"
    );
    assert_eq!(source["checked"], 303);
    assert!(source["aligned"].as_u64().unwrap() >= 281, "{source}");
    let missing =
        summary["not_imported"]["text sources whose file is missing from the archive"].as_u64();
    assert_eq!(missing, Some(1), "{summary}");
    assert!(summary["codes"].as_u64().unwrap() > 20);
    // Every selection is imported, none empty or clamped: the one in a record whose title
    // line reads like a speaker label ("Péter Ádám: …") is mapped through that label's
    // removal too.
    let empty = source["empty"].as_u64().unwrap();
    assert_eq!(empty, 0, "{summary}");
    assert_eq!(summary["excerpts"], 303, "{summary}");
    assert_eq!(source["clamped"], 0);
    // Sampled selections cover the text NVivo quoted in their names.
    let project = body["project"]["id"].as_i64().unwrap();
    let (_, docs) = api.get(&format!("/projects/{project}/documents")).await;
    let document = docs["documents"][0]["id"].as_i64().unwrap();
    let mut texts: Vec<String> = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = api
            .get(&format!("/documents/{document}/excerpts?limit=100{cursor}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["excerpts"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
        {
            texts.push(
                e["text"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(texts.len() as u64, 303 - empty);
    // The selection under the title line that reads like a label covers its comment.
    assert!(
        texts.iter().any(|t| t == "Persze ,az oltottak a betegek"),
        "the comment after “Péter Ádám: …” is an excerpt of its own"
    );
    let qde = std::fs::read_to_string(fixture("nvivo-12.6-win/project.qde")).unwrap();
    let names: Vec<&str> = qde
        .split("<PlainTextSelection ")
        .skip(1)
        .filter_map(|s| s.split("name=\"").nth(1)?.split('"').next())
        .filter(|n| n.chars().count() > 12 && !n.contains('&'))
        .take(40)
        .collect();
    let found = names
        .iter()
        .filter(|n| {
            texts.iter().any(|t| {
                t.starts_with(
                    &n.split_whitespace().collect::<Vec<_>>().join(" ")[..20.min(n.len())],
                )
            })
        })
        .count();
    assert!(
        found * 10 >= names.len() * 9,
        "{found} of {} sampled quotes line up",
        names.len()
    );
    // The file's users became coders of the project.
    assert!(!summary["coders_created"].as_array().unwrap().is_empty());
    // The imported text is in the search index, hits exactly where the word is.
    let text = api.document(document).await.text;
    let (status, hits) = api
        .get(&format!("/projects/{project}/search?q=oltottak"))
        .await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    let items = hits["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{hits}");
    let words: Vec<String> = items
        .iter()
        .map(|hit| {
            let (start, end) = (hit["start"].as_u64().unwrap(), hit["end"].as_u64().unwrap());
            super::support::slice(&text, start as usize, end as usize).to_lowercase()
        })
        .collect();
    // Diacritics fold: "oltottak" also finds "oltották".
    assert!(
        words.iter().all(|w| w == "oltottak" || w == "oltották"),
        "{words:?}"
    );
    assert!(words.iter().any(|w| w == "oltottak"), "{words:?}");
}

#[tokio::test]
async fn the_agpl_samples_import_from_shared() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    if let Some(bytes) = shared_sample("nvivo-15.0-mac/nvivo_project.qdpx") {
        let (status, body) = import(&api, bytes, false).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Its .txt sources are one byte long (the text is in the .docx): none imports,
        // and the summary says so.
        let summary = &body["summary"];
        assert!(summary["codes"].as_u64().unwrap() > 0, "{summary}");
        let skipped: u64 = summary["not_imported"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with("text sources"))
            .map(|(_, v)| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            skipped + summary["documents"].as_u64().unwrap(),
            summary_sources(&body)
        );
    }
    if let Some(bytes) = shared_sample("qc-1.3.2/demo.qdpx") {
        let (status, body) = import(&api, bytes, false).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let summary = &body["summary"];
        assert_eq!(summary["documents"], 2, "{summary}");
        let total: u64 = summary["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["excerpts"].as_u64().unwrap() + s["empty"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 158, "{summary}");
    }
}

fn summary_sources(body: &Value) -> u64 {
    body["summary"]["sources"].as_array().unwrap().len() as u64
        + body["summary"]["not_imported"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with("text sources"))
            .map(|(_, v)| v.as_u64().unwrap())
            .sum::<u64>()
}

const MINIMAL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Tiny">
<CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="50000000-0000-4000-8000-000000000001" name="T" plainTextPath="internal://t.txt">
<PlainTextSelection guid="5e000000-0000-4000-8000-000000000001" startPosition="0" endPosition="5">
<Coding guid="c1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000001"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"#;

#[tokio::test]
async fn hostile_archives_get_a_clear_error_and_leave_nothing_behind() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let text: &[u8] = b"Hello world";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not a zip", b"just text".to_vec(), "not a .qdpx"),
        (
            "a ../ path",
            zip_of(&[("project.qde", MINIMAL.as_bytes()), ("../evil.txt", text)]),
            "outside the archive",
        ),
        (
            "a DOCTYPE",
            zip_of(&[
                (
                    "project.qde",
                    MINIMAL
                        .replace("<Project ", "<!DOCTYPE p [<!ENTITY x \"y\">]><Project ")
                        .as_bytes(),
                ),
                ("sources/t.txt", text),
            ]),
            "DOCTYPE",
        ),
        (
            "a dangling GUID",
            zip_of(&[
                (
                    "project.qde",
                    MINIMAL
                        .replace(
                            "targetGUID=\"c0000000-0000-4000-8000-000000000001\"",
                            "targetGUID=\"c0000000-0000-4000-8000-0000000000ff\"",
                        )
                        .as_bytes(),
                ),
                ("sources/t.txt", text),
            ]),
            "c0000000-0000-4000-8000-0000000000ff",
        ),
        (
            "invalid UTF-8",
            zip_of(&[
                ("project.qde", MINIMAL.as_bytes()),
                ("sources/t.txt", b"\xff\xfe\xfa bad"),
            ]),
            "UTF-8",
        ),
        (
            "no project file",
            zip_of(&[("sources/t.txt", text)]),
            "no project file",
        ),
    ];
    for (what, bytes, says) in cases {
        let (status, body) = import(&api, bytes, false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{what}: {message}");
        assert_eq!(body["error"]["field"], "file");
    }
    let many: Vec<(String, Vec<u8>)> = (0..20_001).map(|i| (format!("e{i}"), Vec::new())).collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (status, body) = import(&api, zip_of(&refs), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("entries")
    );
    assert_eq!(project_count(&api).await, 0, "nothing was left behind");
    // The same minimal file, well-formed, imports (so the refusals above are the cases).
    let (status, body) = import(
        &api,
        zip_of(&[("project.qde", MINIMAL.as_bytes()), ("Sources/T.TXT", text)]),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["summary"]["excerpts"], 1);
}

#[tokio::test]
async fn the_home_page_form_imports_and_shows_the_summary() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    let browser = app.browser_signed_in("olga").await;
    let (_, home) = browser.page("/").await;
    assert!(home.contains("Import a REFI-QDA project"), "{home}");
    let send = |token: String, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().text("_csrf", token).part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("nvivo.qdpx"),
        );
        browser
            .client
            .post(browser.url("/projects/import-qdpx"))
            .multipart(form)
            .send()
    };
    // Without the form's token nothing is imported.
    let forged = send("wrong".into(), nvivo_12_archive()).await.unwrap();
    assert_eq!(crate::helpers::location(&forged), "/");
    let api = app.api_for("olga").await;
    assert_eq!(project_count(&api).await, 0);
    let token = browser.csrf("/").await;
    let response = send(token, nvivo_12_archive()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = crate::helpers::location(&response);
    let (status, page) = browser.page(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("UTF-16 code units"), "{page}");
    assert!(page.contains("Not carried over"), "{page}");
    // A file that is not a project goes back home with the reason.
    let token = browser.csrf("/").await;
    let response = send(token, b"nope".to_vec()).await.unwrap();
    assert_eq!(crate::helpers::location(&response), "/");
    let (_, home) = browser.page("/").await;
    assert!(home.contains("not a .qdpx file"), "{home}");
}

async fn post_qdc(api: &crate::helpers::Api, project: i64, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("codebook.qdc"),
    );
    let response = api
        .request(
            reqwest::Method::POST,
            &format!("/projects/{project}/codebook.qdc"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn codebooks_merge_by_guid_else_by_path() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Codes").await;
    let atlas = std::fs::read(fixture("codebooks/atlasti-23.4-win.qdc")).unwrap();
    let (status, first) = post_qdc(&api, project, atlas.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let created = first["created"].as_array().unwrap().len();
    assert!(created > 0);
    assert_eq!(first["not_imported"]["Sets"], 1, "{first}");
    // The same file again merges every code by its GUID and creates nothing.
    let (_, again) = post_qdc(&api, project, atlas).await;
    assert!(again["created"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(again["merged_by_guid"].as_array().unwrap().len(), created);
    // Taguette's file (fails the schema because of an empty <Sets/>, still readable):
    // a code named like an existing one at the same level merges by path.
    api.create_code(project, serde_json::json!({ "name": "People" }))
        .await;
    let taguette = std::fs::read(fixture("codebooks/taguette-expected.qdc")).unwrap();
    let (status, body) = post_qdc(&api, project, taguette).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["merged_by_path"],
        serde_json::json!(["People"]),
        "{body}"
    );
    assert_eq!(body["created"].as_array().unwrap().len(), 2, "{body}");
    let (_, exported) =
        super::support::download(&api, &format!("/projects/{project}/codebook.qdc")).await;
    super::support::assert_valid(&exported, "Codebook.xsd");
    let (status, body) = post_qdc(&api, project, b"<CodeBook><Codes>".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
