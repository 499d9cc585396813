//! Exports: the coded-excerpts CSV round-trips through a CSV parser field by field
//! (hostile strings included), filters, blind coding, the matrix, and access control.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Api, Excerpt, Study, span_of, study};

const HOSTILE: &str = "Interviewer: =HYPERLINK(\"http://evil\"), \"quoted\"?\n\nUser: <script>alert('x')</script>, commas, \"quotes\"\nand 💛 newlines\n\nInterviewer: @SUM(1+1) -1 +2";

async fn csv_of(api: &Api, path: &str) -> (StatusCode, String) {
    let response = api.request(Method::GET, path).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// A CSV row by column name.
type Row = HashMap<String, String>;

fn parse(csv: &str) -> (Vec<String>, Vec<Row>) {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (headers, rows)
}

/// What a spreadsheet-safe cell means: Gloss prefixes formula-like cells with `'`.
fn restore(cell: &str) -> &str {
    gloss::domain::spreadsheet::restore(cell)
}

#[tokio::test]
async fn every_field_round_trips_through_a_csv_parser() {
    let s = study().await;
    let (status, created) = s
        .owner
        .post(&format!("/projects/{}/documents", s.project), json!({ "title": "=Hostile, \"doc\"", "text": HOSTILE, "attributes": { "site": "-Leeds", "wave": "2" } }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let hostile_doc = created["id"].as_i64().expect("the document's id");
    let parent = s.code(&s.owner, "Concerns").await;
    let child = s.sub_code(parent, "=cmd|' /C calc'!A0, \"x\"").await;
    let text = s.owner.document(hostile_doc).await.text;
    let (a, b) = span_of(
        &text,
        "<script>alert('x')</script>, commas, \"quotes\"\nand 💛 newlines",
    );
    s.alice
        .post(&format!("/documents/{hostile_doc}/excerpts"), json!({ "start": a, "end": b, "code_ids": [parent, child], "memo": "+memo, with \"quotes\"\nand lines" }))
        .await;
    let (c, d) = span_of(&text, "@SUM(1+1) -1 +2");
    s.bob
        .post(
            &format!("/documents/{hostile_doc}/excerpts"),
            json!({ "start": c, "end": d, "code_ids": [child] }),
        )
        .await;
    s.excerpt(&s.alice, "I trust it", &[parent]).await;

    let (status, csv) = csv_of(&s.owner, &format!("/projects/{}/excerpts.csv", s.project)).await;
    assert_eq!(status, StatusCode::OK);
    let (headers, rows) = parse(&csv);
    let expected_header = [
        "project",
        "document_id",
        "document",
        "site",
        "wave",
        "excerpt_id",
        "coder",
        "code",
        "code_path",
        "start",
        "end",
        "speakers",
        "speaker_roles",
        "text",
        "memo",
        "created_at",
        "updated_at",
    ];
    assert_eq!(headers, expected_header);
    assert_eq!(rows.len(), 4, "one row per (excerpt, code)");
    for cell in rows.iter().flat_map(|r| r.values()) {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "neutralised: {cell:?}"
        );
    }

    assert_rows_match_the_api(&s, &[s.document, hostile_doc], &rows).await;
    let script_row = rows
        .iter()
        .find(|r| r["text"].starts_with("<script>"))
        .unwrap();
    assert_eq!(script_row["speakers"], "User");
    assert_eq!(script_row["speaker_roles"], "participant");
    assert!(script_row["text"].contains('💛') && script_row["text"].contains('\n'));

    let (_, excel) = csv_of(
        &s.owner,
        &format!("/projects/{}/excerpts.csv?excel=true", s.project),
    )
    .await;
    assert!(excel.starts_with('\u{feff}'), "Excel option adds a BOM");
}

/// Every field of the CSV `rows` against the API's view of the same excerpts, in the
/// `documents` of the study.
async fn assert_rows_match_the_api(s: &Study, documents: &[i64], rows: &[Row]) {
    let code_paths: HashMap<i64, String> = s
        .owner
        .codebook(s.project)
        .await
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect();
    let mut api_rows = Vec::new();
    for &document in documents {
        let doc = s.owner.document(document).await;
        for e in s.owner.excerpts(document, "").await.items {
            for &code in &e.code_ids {
                api_rows.push((doc.clone(), e.clone(), code));
            }
        }
    }
    for (doc, e, code) in &api_rows {
        let row = rows
            .iter()
            .find(|r| {
                r["excerpt_id"].parse::<i64>().ok() == Some(e.id)
                    && restore(&r["code_path"]) == code_paths[code]
            })
            .unwrap_or_else(|| panic!("row for excerpt {} code {code}", e.id));
        assert_eq!(row["project"], "Study");
        assert_eq!(row["document_id"], doc.id.to_string());
        assert_eq!(restore(&row["document"]), doc.title);
        assert_eq!(
            restore(&row["site"]),
            doc.attributes.get("site").map_or("", String::as_str)
        );
        assert_eq!(row["coder"], e.coder);
        assert_eq!(
            restore(&row["code"]),
            code_paths[code].rsplit(" > ").next().unwrap()
        );
        assert_eq!(row["start"], e.start.to_string());
        assert_eq!(row["end"], e.end.to_string());
        assert_eq!(restore(&row["text"]), e.text, "exact excerpt text");
        assert_eq!(restore(&row["memo"]), e.memo);
        assert_eq!(row["created_at"], e.created_at);
        assert_eq!(row["updated_at"], e.updated_at);
        assert!(row["created_at"].ends_with('Z'), "ISO 8601 UTC");
    }
}

#[tokio::test]
async fn filters_select_codes_coders_documents_and_roles() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let sub = s.sub_code(trust, "Doubt").await;
    s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.bob, "Why not decisions?", &[sub]).await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    let count = |csv: String| parse(&csv).1.len();
    let base = format!("/projects/{}/excerpts.csv", s.project);
    assert_eq!(count(csv_of(&s.owner, &base).await.1), 3);
    assert_eq!(
        count(csv_of(&s.owner, &format!("{base}?codes={trust}")).await.1),
        2
    );
    assert_eq!(
        count(
            csv_of(&s.owner, &format!("{base}?codes={trust}&subcodes=true"))
                .await
                .1
        ),
        3
    );
    assert_eq!(
        count(csv_of(&s.owner, &format!("{base}?coders=bob")).await.1),
        2
    );
    assert_eq!(
        count(
            csv_of(&s.owner, &format!("{base}?coders=alice,bob"))
                .await
                .1
        ),
        3
    );
    assert_eq!(
        count(
            csv_of(&s.owner, &format!("{base}?coders=alice,bob,Alice"))
                .await
                .1
        ),
        3,
        "a coder listed twice is exported once"
    );
    assert_eq!(
        count(
            csv_of(&s.owner, &format!("{base}?role=interviewer"))
                .await
                .1
        ),
        1
    );
    assert_eq!(
        count(
            csv_of(&s.owner, &format!("{base}?documents={}", s.document))
                .await
                .1
        ),
        3
    );
    let (status, body) = csv_of(&s.owner, &format!("{base}?codes=999999")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = csv_of(&s.owner, &format!("{base}?role=narrator")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_filters_by_document_attribute_and_coder(&s, trust, &base).await;
    assert_the_matrix_counts_per_code(&s).await;
}

/// A second document (with an attribute), and the consensus set: the document, attribute
/// and coder filters select exactly theirs.
async fn assert_filters_by_document_attribute_and_coder(s: &Study, trust: i64, base: &str) {
    let second = s.another_document().await;
    s.owner
        .patch(
            &format!("/documents/{second}"),
            json!({ "attributes": { "site": "York" } }),
        )
        .await;
    let (status, _) = s
        .alice
        .post(
            &format!("/documents/{second}/excerpts"),
            json!({ "start": 0, "end": 12, "code_ids": [trust] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    s.consensus_excerpt(0, 12, &[trust]).await;
    let rows_of = |csv: String| parse(&csv).1;
    let only_first = rows_of(
        csv_of(&s.owner, &format!("{base}?documents={}", s.document))
            .await
            .1,
    );
    assert_eq!(
        only_first.len(),
        4,
        "the first document's three and the consensus excerpt"
    );
    assert!(
        only_first
            .iter()
            .all(|r| r["document_id"] == s.document.to_string())
    );
    let york = rows_of(
        csv_of(&s.owner, &format!("{base}?attribute=site:York"))
            .await
            .1,
    );
    assert_eq!(york.len(), 1);
    assert_eq!(york[0]["document_id"], second.to_string());
    let consensus = rows_of(
        csv_of(&s.owner, &format!("{base}?coders=consensus"))
            .await
            .1,
    );
    assert_eq!(consensus.len(), 1);
    assert_eq!(consensus[0]["coder"], "consensus");
    assert_eq!(
        rows_of(
            csv_of(&s.owner, &format!("{base}?coders=alice,consensus"))
                .await
                .1
        )
        .len(),
        3,
        "alice's two and the consensus excerpt"
    );
}

/// The matrix of the first document for the two coders (not the consensus set): excerpts
/// and characters per code, all or in the interviewer's turns only.
async fn assert_the_matrix_counts_per_code(s: &Study) {
    let base_matrix = format!(
        "/projects/{}/matrix.csv?documents={}&coders=alice,bob",
        s.project, s.document
    );

    let (status, matrix) = csv_of(&s.owner, &base_matrix).await;
    assert_eq!(status, StatusCode::OK);
    let (headers, rows) = parse(&matrix);
    assert_eq!(
        headers,
        [
            "document_id",
            "document",
            "Trust [excerpts]",
            "Trust [characters]",
            "Trust > Doubt [excerpts]",
            "Trust > Doubt [characters]"
        ]
    );
    assert_eq!(rows[0]["Trust [excerpts]"], "2", "{matrix}");
    assert_eq!(
        rows[0]["Trust [characters]"],
        ("I trust it".len() + "It helps me think".len()).to_string()
    );
    assert_eq!(rows[0]["Trust > Doubt [excerpts]"], "1");
    let (_, interviewers) = csv_of(&s.owner, &format!("{base_matrix}&role=interviewer")).await;
    let rows = parse(&interviewers).1;
    assert_eq!(
        (
            rows[0]["Trust [excerpts]"].as_str(),
            rows[0]["Trust > Doubt [excerpts]"].as_str()
        ),
        ("0", "1"),
        "only the excerpt in the interviewer's turn: {interviewers}"
    );
}

#[tokio::test]
async fn blind_coding_and_membership_apply_to_exports() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    s.code_blind().await;
    let base = format!("/projects/{}/excerpts.csv", s.project);
    let (_, csv) = csv_of(&s.bob, &base).await;
    let rows = parse(&csv).1;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["coder"], "bob");
    let (status, _) = csv_of(&s.bob, &format!("{base}?coders=alice")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, matrix) = csv_of(&s.bob, &format!("/projects/{}/matrix.csv", s.project)).await;
    assert_eq!(parse(&matrix).1[0]["Trust [excerpts]"], "1");
    assert_eq!(
        parse(&csv_of(&s.owner, &base).await.1).1.len(),
        2,
        "owners export everyone"
    );

    let stranger = s.app.api_user("eve").await;
    for path in [base.clone(), format!("/projects/{}/matrix.csv", s.project)] {
        let (status, _) = csv_of(&stranger, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn excerpts_without_codes_are_exported_too() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it", &[trust]).await;
    let memo_only = s.excerpt(&s.alice, "It helps me think", &[]).await;
    let (_, csv) = csv_of(&s.owner, &format!("/projects/{}/excerpts.csv", s.project)).await;
    let rows = parse(&csv).1;
    assert_eq!(rows.len(), 2);
    let uncoded = rows
        .iter()
        .find(|r| r["excerpt_id"].parse::<i64>().ok() == Some(memo_only.id))
        .expect("the uncoded excerpt has a row");
    assert_eq!(
        (uncoded["code"].as_str(), uncoded["code_path"].as_str()),
        ("", "")
    );
    let (_, filtered) = csv_of(
        &s.owner,
        &format!("/projects/{}/excerpts.csv?codes={trust}", s.project),
    )
    .await;
    assert_eq!(
        parse(&filtered).1.len(),
        1,
        "a code filter leaves uncoded excerpts out"
    );
}

#[tokio::test]
async fn turn_times_are_exported_when_the_transcript_has_them() {
    let app = crate::helpers::spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Zoom calls").await;
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n<v Interviewer>How did it start?\n\n00:00:04.000 --> 00:00:06.000\n<v Maria>With a phone call.\n\n00:00:06.000 --> 00:00:09.250\n<v Maria>Then a meeting.\n";
    let summary = api
        .import(project, &[("call.vtt", vtt.as_bytes())], &[])
        .await;
    let document = summary.documents[0].id;
    let text = api.document(document).await.text;
    let at = |needle: &str| span_of(&text, needle);
    let code = api
        .create_code(project, json!({ "name": "Origins" }))
        .await
        .id;
    let spans = [at("With a phone call."), (at("How").0, at("phone").1)];
    for (start, end) in spans {
        api.create_excerpt(document, start, end, &[code]).await;
    }

    let (_, csv) = csv_of(&api, &format!("/projects/{project}/excerpts.csv")).await;
    let (headers, rows) = parse(&csv);
    assert!(headers.contains(&"start_time".to_owned()) && headers.contains(&"end_time".to_owned()));
    let times: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["speakers"].as_str(),
                r["start_time"].as_str(),
                r["end_time"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            ("Interviewer; Maria", "00:00:01.000", "00:00:09.250"),
            ("Maria", "00:00:04.000", "00:00:09.250"),
        ],
        "the times of the turns an excerpt touches, in document order"
    );

    let s = study().await;
    let (_, csv) = csv_of(&s.owner, &format!("/projects/{}/excerpts.csv", s.project)).await;
    assert!(
        !parse(&csv).0.contains(&"start_time".to_owned()),
        "no time columns for transcripts without times"
    );
}

/// The project page's export form offers codes and attribute values, and what it submits
/// (every field, empty ones included) selects exactly those excerpts.
#[tokio::test]
async fn the_project_pages_export_form_filters_by_code_and_attribute() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.bob, "Why not decisions?", &[doubt]).await;
    s.owner
        .patch(
            &format!("/documents/{}", s.document),
            json!({ "attributes": { "site": "Leeds" } }),
        )
        .await;
    let browser = s.app.browser_signed_in("olga").await;
    let (_, html) = browser
        .page(&format!("/projects/{}/export", s.project))
        .await;
    let form = &html[html.find("<h1>Export</h1>").unwrap()..];
    assert!(
        form.contains(&format!("<option value=\"{trust}\">Trust</option>")),
        "{form}"
    );
    assert!(form.contains("<option value=\"site:Leeds\">"), "{form}");

    let submitted = format!(
        "/api/v1/projects/{}/excerpts.csv?role=&coders=&codes={doubt}&attribute=site%3ALeeds",
        s.project
    );
    let csv = browser.get(&submitted).await.text().await.unwrap();
    let (_, rows) = parse(&csv);
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(rows[0]["code"], "Doubt");
    let everything = format!(
        "/api/v1/projects/{}/excerpts.csv?role=&coders=&codes=&attribute=",
        s.project
    );
    let csv = browser.get(&everything).await.text().await.unwrap();
    assert_eq!(parse(&csv).1.len(), 2, "empty fields filter nothing");
}

/// A document with more excerpts than one chunk holds exports every one of them once, in
/// document order (the export reads a document in pieces to keep memory flat).
#[tokio::test]
async fn a_document_with_thousands_of_excerpts_exports_each_once_in_order() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let length = s.text.chars().count() as i64;
    let mut expected = Vec::new();
    for round in 0..3 {
        let excerpts: Vec<serde_json::Value> = (0..1000)
            .map(|i| {
                let start = (i * 7 + round) % (length - 12);
                json!({ "start": start, "end": start + 5 + i % 7, "code_ids": [trust] })
            })
            .collect();
        let (status, body) = s
            .alice
            .post(
                &format!("/documents/{}/excerpts/batch", s.document),
                json!({ "excerpts": excerpts }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let created: Vec<Excerpt> = crate::helpers::parse(&body["excerpts"]);
        expected.extend(created.iter().map(|e| (e.start as i64, e.end as i64, e.id)));
    }
    expected.sort();
    let (_, csv) = csv_of(&s.owner, &format!("/projects/{}/excerpts.csv", s.project)).await;
    let exported: Vec<(i64, i64, i64)> = parse(&csv)
        .1
        .iter()
        .map(|r| {
            (
                r["start"].parse().unwrap(),
                r["end"].parse().unwrap(),
                r["excerpt_id"].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(exported.len(), 3000);
    assert_eq!(exported, expected, "each once, in document order");
}

/// The file name a download would be saved as.
async fn saved_as(api: &Api, path: &str) -> String {
    let response = api.request(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    disposition
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{disposition}"))
        .to_owned()
}

#[tokio::test]
async fn downloads_are_named_for_project_kind_filters_and_day() {
    let s = study().await;
    let today = std::process::Command::new("date")
        .args(["-u", "+%F"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap();
    s.owner
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "name": "Pilot study: wave 2" }),
        )
        .await;
    let p = s.project;
    let cases = [
        (
            format!("/projects/{p}/excerpts.csv"),
            "pilot-study-wave-2_excerpts".to_owned(),
        ),
        (
            format!("/projects/{p}/excerpts.csv?coders=alice&role=participant"),
            "pilot-study-wave-2_excerpts_coders-alice_participants".to_owned(),
        ),
        (
            format!("/projects/{p}/matrix.csv?coders=alice,bob"),
            "pilot-study-wave-2_code-document-matrix_coders-alice-bob".to_owned(),
        ),
        (
            format!("/projects/{p}/codebook.csv"),
            "pilot-study-wave-2_codebook".to_owned(),
        ),
        (
            format!("/projects/{p}/agreement.csv?coders=alice,bob&unit=turn&scope=all"),
            "pilot-study-wave-2_agreement_turn_alice-bob".to_owned(),
        ),
    ];
    for (path, stem) in cases {
        assert_eq!(
            saved_as(&s.owner, &path).await,
            format!("{stem}_{today}.csv"),
            "{path}"
        );
    }
}
