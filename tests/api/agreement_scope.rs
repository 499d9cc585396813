//! Which documents an agreement report covers (issue 14): by default the documents every
//! chosen coder marked complete, falling back to those every chosen coder coded; the other
//! scopes by name; the document picker; and the documents used and left out, in the JSON,
//! the CSV and the page.

use gloss::domain::agreement::{self, AgreementInput, Coding, DocumentInput, UnitLevel};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Excerpt, Study, close, study};

/// The repro: olga codes documents A, B and C; alice codes only A.
struct Repro {
    s: Study,
    a: i64,
    b: i64,
    c: i64,
    trust: i64,
    doubt: i64,
}

async fn repro() -> Repro {
    let s = study().await;
    let (a, b, c) = (
        s.document,
        s.another_document().await,
        s.another_document().await,
    );
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let span = |needle: &str| s.find(needle);
    for document in [a, b, c] {
        let (start, end) = span("I trust it for drafts");
        s.owner.create_excerpt(document, start, end, &[trust]).await;
        let (start, end) = span("Why not decisions?");
        s.owner.create_excerpt(document, start, end, &[doubt]).await;
    }
    // alice agrees on trust but draws it wider, and sees doubt somewhere else.
    let (start, end) = span("Honestly 💛 I trust it for drafts");
    s.alice.create_excerpt(a, start, end, &[trust]).await;
    let (start, end) = span("not for decisions");
    s.alice.create_excerpt(a, start, end, &[doubt]).await;
    Repro {
        s,
        a,
        b,
        c,
        trust,
        doubt,
    }
}

impl Repro {
    async fn report(&self, query: &str) -> Value {
        let (status, body) = self
            .s
            .owner
            .get(&format!("/projects/{}/agreement?{query}", self.s.project))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body
    }

    /// Pooled α at character level on document A alone, computed by the pure domain
    /// function from the excerpts as the API lists them.
    async fn alpha_on_a_from_the_domain(&self) -> f64 {
        let excerpts: Vec<Excerpt> = self.s.excerpts(&self.s.owner, "?limit=1000").await;
        let codes = [self.trust, self.doubt];
        let codings = excerpts
            .iter()
            .flat_map(|e| {
                let coder = usize::from(e.coder == "alice");
                e.code_ids.iter().map(move |id| Coding {
                    coder,
                    code: codes.iter().position(|c| c == id).expect("a known code"),
                    document: 0,
                    start: e.start as u64,
                    end: e.end as u64,
                })
            })
            .collect();
        let input = AgreementInput {
            documents: vec![DocumentInput {
                len: self.s.text.chars().count() as u64,
                turns: Vec::new(),
            }],
            coders: 2,
            codes: 2,
            codings,
        };
        let report = agreement::compute(&input, UnitLevel::Character).expect("valid input");
        report
            .pooled
            .krippendorff
            .alpha
            .value()
            .expect("a defined α")
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list of documents")
        .iter()
        .map(|d| d["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn by_default_only_documents_both_coders_coded_count() {
    let r = repro().await;
    let default = r.report("coders=olga,alice").await;
    assert_eq!(default["documents"], 1, "{default}");
    let scope = &default["document_scope"];
    assert_eq!(scope["requested"], "shared");
    assert_eq!(scope["applied"], "coded_by_all", "nothing is complete yet");
    assert_eq!(ids(&scope["used"]), [r.a]);
    assert_eq!(ids(&scope["left_out"]), [r.b, r.c]);
    assert_eq!(scope["left_out"][0]["reason"], "not coded by alice");

    let picked = r
        .report(&format!("coders=olga,alice&documents={}", r.a))
        .await;
    assert_eq!(picked["document_scope"]["applied"], "picked");
    let alpha = &default["overall"]["pooled"]["krippendorff_alpha"];
    close(
        alpha,
        picked["overall"]["pooled"]["krippendorff_alpha"]
            .as_f64()
            .unwrap(),
        "default = A picked",
    );
    close(
        alpha,
        r.alpha_on_a_from_the_domain().await,
        "default = α on A by the domain function",
    );
    assert_eq!(default["codes"], picked["codes"], "every figure is A's");

    // The old default, still available by name, counts B and C as "alice coded nothing".
    let any = r.report("coders=olga,alice&scope=coded_by_any").await;
    assert_eq!(any["documents"], 3);
    assert!(
        any["overall"]["pooled"]["krippendorff_alpha"]
            .as_f64()
            .unwrap()
            < alpha.as_f64().unwrap(),
        "uncoded documents drag α down: {any}"
    );
    assert!(
        any["document_scope"]["label"]
            .as_str()
            .unwrap()
            .contains("their uncoded text counts as agreement to leave it uncoded")
    );
    let all = r.report("coders=olga,alice&scope=all").await;
    assert_eq!(all["documents"], 3);
    assert_eq!(
        r.report("coders=olga,alice&documents=all").await["documents"],
        3
    );
}

#[tokio::test]
async fn picked_documents_are_used_as_picked_and_say_so() {
    let r = repro().await;
    let picked = r
        .report(&format!("coders=olga,alice&documents={},{}", r.a, r.b))
        .await;
    assert_eq!(ids(&picked["document_scope"]["used"]), [r.a, r.b]);
    assert_eq!(
        picked["document_scope"]["left_out"][0]["reason"],
        "not picked"
    );
    let warnings = picked["warnings"].to_string();
    assert!(
        warnings.contains("1 of the picked documents were not coded by every chosen coder"),
        "{warnings}"
    );
    for (query, field) in [
        (format!("documents={}&scope=all", r.a), "scope"),
        ("scope=everything".to_owned(), "scope"),
    ] {
        let (status, body) =
            r.s.owner
                .get(&format!(
                    "/projects/{}/agreement?coders=olga,alice&{query}",
                    r.s.project
                ))
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn coders_who_share_no_document_are_told_what_to_choose() {
    let r = repro().await;
    let (status, body) =
        r.s.owner
            .get(&format!(
                "/projects/{}/agreement?coders=alice,bob",
                r.s.project
            ))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "documents");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scope=coded_by_any"),
        "{body}"
    );
    // bob coded nothing: asked for explicitly, he rates every unit 0 (AGREEMENT.md §10.3).
    let any = r.report("coders=alice,bob&scope=coded_by_any").await;
    assert_eq!(ids(&any["document_scope"]["used"]), [r.a]);
}

#[tokio::test]
async fn the_csv_and_the_page_list_the_documents_used_and_left_out() {
    let r = repro().await;
    let response =
        r.s.owner
            .request(
                Method::GET,
                &format!("/projects/{}/agreement.csv?coders=olga,alice", r.s.project),
            )
            .send()
            .await
            .unwrap();
    let csv = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let of_kind = |kind: &str| -> Vec<&csv::StringRecord> {
        rows.iter().filter(|row| &row[0] == kind).collect()
    };
    let used = of_kind("document_used");
    assert_eq!(used.len(), 1);
    assert_eq!(used[0][column("document_id")], r.a.to_string());
    let left_out = of_kind("document_left_out");
    assert_eq!(left_out.len(), 2);
    assert_eq!(&left_out[0][column("reason")], "not coded by alice");

    let browser = r.s.app.browser_signed_in("olga").await;
    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement?coders=olga,alice",
            r.s.project
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 document used, 2 left out"), "{html}");
    assert!(html.contains("P2</a>: not coded by alice"));
    assert!(html.contains("name=\"document\" value=\"") && html.contains("data-document-search"));
}

#[tokio::test]
async fn the_breakdown_gives_each_document_and_pair_as_if_alone() {
    let e = crate::helpers::worked_example().await;
    let r = e.report("coders=a,b").await;
    let rows = r["by_document"].as_array().expect("the breakdown");
    assert_eq!(rows.len(), 2, "D1 and D2, one pair: {r}");
    assert_eq!(rows[0]["document_id"], e.d1);
    assert_eq!(rows[0]["coders"], serde_json::json!(["a", "b"]));
    let d1 = e.report(&format!("coders=a,b&documents={}", e.d1)).await;
    let pooled = &d1["overall"]["pooled"];
    assert_eq!(rows[0]["units"], pooled["units"]);
    for name in ["percent_agreement", "krippendorff_alpha"] {
        close(&rows[0][name], pooled[name].as_f64().unwrap(), name);
    }
    // D2: both cover [0,3) with X and leave Y out.
    close(&rows[1]["percent_agreement"], 1.0, "PA on D2");
    close(&rows[1]["krippendorff_alpha"], 1.0, "α on D2");

    let browser = e.app.browser_signed_in("lead").await;
    let (_, html) = browser
        .page(&format!("/projects/{}/agreement?coders=a,b", e.project))
        .await;
    assert!(html.contains("By document and coder pair"));
    assert!(
        html.contains(
            "role=\"img\" aria-label=\"Krippendorff&#39;s α per document and coder pair\""
        ),
        "the chart"
    );
    assert!(html.contains("D2 · a × b"), "a bar per row");
    assert!(html.contains("data-sortable") && html.contains("<td data-value=\"a × b\">"));
}
