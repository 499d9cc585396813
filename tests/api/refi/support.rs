//! What the REFI tests share: schema validation with `xmllint`, reading a `.qdpx`, and the
//! selections of a project file.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::{Method, StatusCode};

use crate::ci::in_ci;
use crate::helpers::Api;

pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/refi")
        .join(relative)
}

/// Validates `xml` against a schema of `tests/fixtures/refi/` with `xmllint --schema`
/// (which checks element order too). Without xmllint the check fails in CI and is
/// skipped (with a notice) elsewhere.
pub fn assert_valid(xml: &[u8], schema: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.xml");
    std::fs::write(&file, xml).unwrap();
    let run = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(fixture(schema))
        .arg(&file)
        .output();
    match run {
        Ok(output) => assert!(
            output.status.success(),
            "not valid against {schema}: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) if in_ci() => panic!("xmllint is needed in CI (package libxml2-utils): {e}"),
        Err(e) => eprintln!("skipping schema validation: xmllint is not available ({e})"),
    }
}

pub async fn download(api: &Api, path: &str) -> (StatusCode, Vec<u8>) {
    let response = api.request(Method::GET, path).send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Every entry of a ZIP by name.
pub fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    let mut entries = HashMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        let name = entry.name().unwrap().into_owned();
        entries.insert(name, content);
    }
    entries
}

/// One `PlainTextSelection` as written, with the source it belongs to.
#[derive(Debug, Clone)]
pub struct Selection {
    pub source_path: String,
    pub start: usize,
    pub end: usize,
    pub creating_user: String,
    pub description: String,
    pub code_refs: Vec<String>,
}

fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .unwrap()
                .into_owned()
        })
        .unwrap_or_default()
}

/// The selections of a project file, in file order.
pub fn selections(qde: &[u8]) -> Vec<Selection> {
    let mut reader = Reader::from_str(std::str::from_utf8(qde).unwrap());
    let mut source = String::new();
    let mut out: Vec<Selection> = Vec::new();
    let mut in_description = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "TextSource" => source = attribute(&e, "plainTextPath"),
                "PlainTextSelection" => out.push(Selection {
                    source_path: source.clone(),
                    start: attribute(&e, "startPosition").parse().unwrap(),
                    end: attribute(&e, "endPosition").parse().unwrap(),
                    creating_user: attribute(&e, "creatingUser"),
                    description: String::new(),
                    code_refs: Vec::new(),
                }),
                "CodeRef" => {
                    if let Some(last) = out.last_mut() {
                        last.code_refs.push(attribute(&e, "targetGUID"));
                    }
                }
                "Description" => in_description = true,
                _ => {}
            },
            Event::Text(t) if in_description => {
                if let Some(last) = out.last_mut() {
                    last.description.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_description => {
                if let Some(last) = out.last_mut() {
                    let c = quick_xml::escape::resolve_predefined_entity(&r).unwrap();
                    last.description.push_str(c);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Description" => in_description = false,
            Event::End(e) if e.local_name().as_ref() == "TextSource" => source.clear(),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Values of `attribute` on every `element`, in file order.
pub fn attribute_values(xml: &[u8], element: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(std::str::from_utf8(xml).unwrap());
    let mut values = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                values.push(attribute(&e, name));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    values
}

pub fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Posts a `.qdpx` to the import route.
pub async fn import(
    api: &Api,
    bytes: Vec<u8>,
    match_users: bool,
) -> (StatusCode, serde_json::Value) {
    let form = reqwest::multipart::Form::new()
        .text("match_users", match_users.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("project.qdpx"),
        );
    let response = api
        .request(Method::POST, "/projects/import/qdpx")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// A ZIP of `(name, bytes)` entries.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A sample of `shared/refi/samples/` (AGPL samples are read there, never copied), or
/// `None` outside CI when it is missing.
pub fn shared_sample(relative: &str) -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/refi/samples")
        .join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if in_ci() => panic!("{} is needed in CI: {e}", path.display()),
        Err(e) => {
            eprintln!("skipping: {} is not available ({e})", path.display());
            None
        }
    }
}
