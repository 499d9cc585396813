//! `parseHeader` (static/js/import.js), which reads the column names the import form offers
//! from a CSV or TSV file's first record, in the real browser. Expected values are worked
//! out by hand from its contract: the fields of the first record, quotes and doubled quotes
//! handled, names trimmed and empty ones left out.

use serde_json::json;

use crate::prelude::bare;

#[tokio::test]
async fn header_names_are_read_from_the_first_record() {
    let Some(b) = bare().await else {
        return;
    };
    let cases = json!({
        "empty": ["", ","],
        "onlyANewline": ["\n", ","],
        "plain": ["id,text", ","],
        "firstRecordOnly": ["id,text\nw1,hello", ","],
        "crlf": ["id,text\r\nw1,hello", ","],
        "quotedDelimiter": [" \"Q1: age, years\" ,text", ","],
        "doubledQuotes": ["\"say \"\"hi\"\"\",b", ","],
        "quotedLineBreak": ["\"line\nbreak\",b\nw1,x", ","],
        "emptyNamesLeftOut": ["a,,b,", ","],
        "onlyEmptyQuotes": ["\"\"", ","],
        "trimmed": ["  spaced  ,\tname ", ","],
        "byteOrderMark": ["\u{feff}id,text", ","],
        "byteOrderMarkThenQuote": ["\u{feff}\"Interview, ID\",text", ","],
        "emoji": ["💛 Gefühl,caf\u{e9}", ","],
        "tabs": ["id\tsite, city\ttext", "\t"],
        "semicolons": ["a;\"b;c\";d", ";"],
        // An unclosed quote runs to the end: a line break inside it ends nothing.
        "unclosedQuote": ["\"open,field\nmore", ","],
    });
    let result = b
        .with_modules(
            &[("i", "/static/js/import.js")],
            r#"const [cases] = args;
               return Object.fromEntries(Object.entries(cases).map(
                 ([name, [text, delimiter]]) => [name, i.parseHeader(text, delimiter)]));"#,
            vec![cases],
        )
        .await;
    let expected = json!({
        "empty": [],
        "onlyANewline": [],
        "plain": ["id", "text"],
        "firstRecordOnly": ["id", "text"],
        "crlf": ["id", "text"],
        "quotedDelimiter": ["Q1: age, years", "text"],
        "doubledQuotes": ["say \"hi\"", "b"],
        "quotedLineBreak": ["line\nbreak", "b"],
        "emptyNamesLeftOut": ["a", "b"],
        "onlyEmptyQuotes": [],
        "trimmed": ["spaced", "name"],
        // A byte-order mark is no part of the first name.
        "byteOrderMark": ["id", "text"],
        "byteOrderMarkThenQuote": ["Interview, ID", "text"],
        "emoji": ["💛 Gefühl", "café"],
        "tabs": ["id", "site, city", "text"],
        "semicolons": ["a", "b;c", "d"],
        "unclosedQuote": ["open,field\nmore"],
    });
    for (name, want) in expected.as_object().expect("cases") {
        assert_eq!(&result[name], want, "{name}: {}", result[name]);
    }
}
