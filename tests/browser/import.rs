//! Signing in through the login form and importing a transcript through the project page's
//! upload form (static/js/import.js), and the column names it offers for CSV and TSV files.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::harness::{Api, BrowserTest, PATIENCE};
use crate::prelude::{Prelude, Project, fixture};

#[tokio::test]
async fn sign_in_upload_a_transcript_and_find_it_in_the_project() {
    // Signed in through the login form, which leads to the project list.
    let Some((b, Project { api, id: project })) = Prelude::new()
        .project("Workforce pilot")
        .start_empty()
        .await
    else {
        return;
    };
    let link = b
        .wait_for(&format!("ul.project-list a[href='/projects/{project}']"))
        .await;
    assert_eq!(link.text().await.unwrap(), "Workforce pilot");
    link.click().await.unwrap();
    let form = b.wait_for("form[data-import-form]").await;
    assert_eq!(b.current_path().await, format!("/projects/{project}"));
    assert!(
        b.text_of(".columns section")
            .await
            .contains("No documents yet."),
        "a new project has no documents"
    );

    // Record, in storage that survives the navigation, that the upload went through the
    // script's XMLHttpRequest (with progress) rather than a plain form post.
    b.execute(
        "const send = XMLHttpRequest.prototype.send;
         XMLHttpRequest.prototype.send = function (body) {
           sessionStorage.setItem('xhr-upload', String(body instanceof FormData));
           return send.call(this, body);
         };",
        vec![],
    )
    .await;

    let path = fixture("work_0759.txt");
    form.find(Locator::Css("input[type=file][name=files]"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .expect("choose the file");
    // import.js lists the chosen file.
    let chosen = b.wait_for("[data-file-list]:not([hidden]) li").await;
    assert!(
        chosen.text().await.unwrap().starts_with("work_0759.txt ("),
        "the chosen file is listed with its size"
    );
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The script opens the import summary once the server has read the file.
    b.wait_for("a[href^='/documents/']").await;
    let summary_path = b.current_path().await;
    assert!(
        summary_path.starts_with(&format!("/projects/{project}/imports/")),
        "the summary page is shown, not {summary_path}"
    );
    assert_eq!(
        b.execute("return sessionStorage.getItem('xhr-upload')", vec![])
            .await,
        json!("true"),
        "import.js sent the form data with XMLHttpRequest"
    );
    let lead = b.text_of("p.lead").await;
    assert!(lead.starts_with("1 document created"), "summary: {lead}");
    assert!(b.text_of("main").await.contains("work_0759.txt"));

    listed_in_the_project(&b, &api, project).await;
}

/// The server agrees that one document was imported, and the project page lists it under
/// its title.
async fn listed_in_the_project(b: &BrowserTest, api: &Api, project: i64) {
    let listed = api.get(&format!("/projects/{project}/documents")).await;
    let documents = listed["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{listed}");
    assert_eq!(documents[0]["source_name"], "work_0759.txt");
    let title = documents[0]["title"].as_str().unwrap();
    let id = documents[0]["id"].as_i64().unwrap();

    b.client
        .find(Locator::LinkText("← Back to the project"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let row_link = b
        .wait_for(&format!("table.documents a[href='/documents/{id}']"))
        .await;
    assert_eq!(row_link.text().await.unwrap(), title);
    let counts = b.text_of("main p.muted").await;
    assert!(counts.contains("· 1 document"), "{counts}");
}

/// The column names the import form offers for the file chosen, once import.js has read
/// its first record.
async fn offered_columns(b: &BrowserTest, file: &std::path::Path) -> Value {
    b.wait_for("form[data-import-form] input[type=file]")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .expect("choose the file");
    let read = "return Array.from(document.querySelectorAll('[data-csv-columns] option'), (o) => o.value);";
    let deadline = Instant::now() + PATIENCE;
    loop {
        let columns = b.execute(read, vec![]).await;
        if columns.as_array().is_some_and(|c| !c.is_empty()) || Instant::now() > deadline {
            return columns;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Choosing a CSV (with a byte-order mark and quoted names holding commas) or a TSV file
/// offers its header's names for the column fields, split at the file's own delimiter.
#[tokio::test]
async fn choosing_a_csv_or_tsv_file_offers_its_column_names() {
    let Some((b, project)) = Prelude::new().start_empty().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("survey.csv");
    std::fs::write(
        &csv,
        "\u{feff}\"Interview ID\",\"Q1: age, years\",text\nw1,30,\"User: hi\"\n",
    )
    .unwrap();
    let tsv = dir.path().join("survey.tsv");
    std::fs::write(
        &tsv,
        "id\tsite, city\ttranscript\nw1\tLeeds, UK\tUser: hi\n",
    )
    .unwrap();

    b.goto(&format!("/projects/{}", project.id)).await;
    assert_eq!(
        offered_columns(&b, &csv).await,
        json!(["Interview ID", "Q1: age, years", "text"])
    );
    b.goto(&format!("/projects/{}", project.id)).await;
    assert_eq!(
        offered_columns(&b, &tsv).await,
        json!(["id", "site, city", "transcript"]),
        "a .tsv file is split at tabs"
    );
}

/// Importing a document that is already in the project: the refusal looks like an error
/// (not muted status text), is announced, and offers to import only what is new.
#[tokio::test]
async fn a_duplicate_import_is_shown_as_an_error_with_a_way_on() {
    let Some((b, Project { api, id: project })) = Prelude::new().start_empty().await else {
        return;
    };
    let path = fixture("work_0759.txt");
    api.import_file(project, "work_0759.txt", std::fs::read(&path).unwrap())
        .await;
    b.goto(&format!("/projects/{project}")).await;
    let form = b.wait_for("form[data-import-form]").await;
    form.find(Locator::Css("input[type=file][name=files]"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .expect("choose the file");
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let error = b.wait_for("[data-status].status-error").await;
    assert_eq!(error.attr("role").await.unwrap().as_deref(), Some("alert"));
    assert!(
        error
            .text()
            .await
            .unwrap()
            .contains("already in this project"),
        "says why"
    );
    let look = b
        .execute(
            "const s = getComputedStyle(document.querySelector('[data-status]'));
             return [s.backgroundColor, s.borderLeftStyle, s.fontSize];",
            vec![],
        )
        .await;
    assert_eq!(
        look,
        json!(["rgb(251, 234, 234)", "solid", "16px"]),
        "error colours and full-size text, not small grey"
    );

    error
        .find(Locator::Css("button"))
        .await
        .expect("the way on")
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath("//h1[.='Import summary']"))
        .await
        .expect("the import summary opens");
    let lead = b.text_of("p.lead").await;
    assert!(
        lead.starts_with("0 documents created") && lead.contains("1 skipped"),
        "{lead}"
    );
}
