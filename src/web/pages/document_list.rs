//! The Documents tab's list controls: the address's parameters (read leniently: a value
//! the list does not know falls back to its default) and the links built from them, for
//! sorting by a column and moving between pages.

use serde::{Deserialize, Serialize};

use crate::domain::document_list::{Listing, Query};
use crate::service::document_list::{Coded, SortKey, looks_like_id, snippet};
use crate::web::urls;

/// The list's parameters as they appear in the address.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    /// `name:value`
    #[serde(default)]
    pub attribute: String,
    /// `yes` or `no`
    #[serde(default)]
    pub coded: String,
    #[serde(default)]
    pub sort: String,
    /// `desc` for descending.
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
    /// The attribute to show beside id-like titles; empty: the first participant line.
    #[serde(default)]
    pub beside: String,
}

impl ListParams {
    pub fn query(&self) -> Query {
        Query {
            search: self.q.trim().to_owned(),
            attribute: self
                .attribute
                .split_once(':')
                .map(|(n, v)| (n.to_owned(), v.to_owned())),
            coded: match self.coded.as_str() {
                "yes" => Some(Coded::Yes),
                "no" => Some(Coded::No),
                _ => None,
            },
            sort: SortKey::parse(&self.sort).unwrap_or_default(),
            descending: self.dir == "desc",
            page: self.page.parse().unwrap_or(1),
            per_page: self.per_page.parse().unwrap_or(0),
        }
    }

    /// Whether any search or filter narrows the list.
    pub fn narrowed(&self) -> bool {
        !self.q.trim().is_empty() || !self.attribute.is_empty() || !self.coded.is_empty()
    }

    fn url(&self, project_id: i64) -> String {
        let kept: Vec<(&str, &str)> = [
            ("q", self.q.trim()),
            ("attribute", self.attribute.as_str()),
            ("coded", self.coded.as_str()),
            ("sort", self.sort.as_str()),
            ("dir", self.dir.as_str()),
            ("page", self.page.as_str()),
            ("per_page", self.per_page.as_str()),
            ("beside", self.beside.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let base = urls::project(project_id);
        match serde_urlencoded::to_string(&kept) {
            Ok(query) if !query.is_empty() => format!("{base}?{query}#documents-heading"),
            _ => format!("{base}#documents-heading"),
        }
    }
}

/// A sortable column heading: its link and, when the list is sorted by it, the
/// `aria-sort` value.
pub struct SortLink {
    pub label: &'static str,
    pub key: &'static str,
    pub href: String,
    pub aria_sort: Option<&'static str>,
}

/// One row as the table shows it.
pub struct ListRow {
    pub id: i64,
    pub title: String,
    /// Beside an id-like title: the chosen attribute, or the first participant line.
    pub beside: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub length: i64,
    pub turns: i64,
    pub coded_percent: i64,
    pub added: String,
}

/// The list's links and rows, ready for the template.
pub struct ListView {
    pub params: ListParams,
    pub rows: Vec<ListRow>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
    pub sort_links: Vec<SortLink>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub sort_choices: Vec<(&'static str, &'static str)>,
}

pub fn view(project_id: i64, params: ListParams, listing: Listing) -> ListView {
    let query = params.query();
    let sort_links = SortKey::ALL
        .into_iter()
        .map(|key| {
            let current = key == query.sort;
            let flip = current && !query.descending;
            let mut next = params.clone();
            next.sort = key.as_str().to_owned();
            next.dir = if flip { "desc".into() } else { String::new() };
            next.page = String::new();
            SortLink {
                label: key.label(),
                key: key.as_str(),
                href: next.url(project_id),
                aria_sort: current.then_some(match query.descending {
                    true => "descending",
                    false => "ascending",
                }),
            }
        })
        .collect();
    let at = |page: usize| {
        let mut moved = params.clone();
        moved.page = page.to_string();
        moved.url(project_id)
    };
    let previous = (listing.page > 1).then(|| at(listing.page - 1));
    let next = (listing.page < listing.pages).then(|| at(listing.page + 1));
    let rows = listing
        .rows
        .iter()
        .map(|row| ListRow {
            id: row.id,
            title: row.title.clone(),
            beside: beside(row, &params.beside),
            attributes: row.attributes.clone(),
            length: row.length,
            turns: row.turns,
            coded_percent: row.coded_percent(),
            added: row
                .created_at
                .get(..10)
                .unwrap_or(&row.created_at)
                .to_owned(),
        })
        .collect();
    ListView {
        rows,
        matching: listing.matching,
        page: listing.page,
        pages: listing.pages,
        per_page: listing.per_page,
        sort_links,
        previous,
        next,
        sort_choices: SortKey::ALL.map(|k| (k.as_str(), k.label())).to_vec(),
        params,
    }
}

fn beside(row: &crate::domain::document_list::Row, attribute: &str) -> Option<String> {
    if !looks_like_id(&row.title) {
        return None;
    }
    match attribute {
        "" => row.first_line.as_deref().map(|line| snippet(line, 90)),
        name => row.attribute(name).map(|value| snippet(value, 90)),
    }
}
