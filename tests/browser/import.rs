//! Signing in through the login form and importing a transcript through the project page's
//! upload form (static/js/import.js).

use fantoccini::Locator;
use serde_json::json;

use crate::harness::{BrowserTest, fixture};

#[tokio::test]
async fn sign_in_upload_a_transcript_and_find_it_in_the_project() {
    let Some(b) = BrowserTest::start().await else {
        return;
    };
    b.create_user("ada").await;
    let api = b.api_for("ada").await;
    let project = api.create_project("Workforce pilot").await;

    // The login form leads to the project list.
    b.sign_in("ada").await;
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

    // The server agrees, and the project page lists the document under its title.
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
