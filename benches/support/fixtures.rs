//! Fixtures: fresh databases, users, projects, the corpus import and seeded coding, built
//! through the library (services, or the `db` layer in one transaction for bulk coding).

use std::path::{Path, PathBuf};

use gloss::db::{self, Db};
use gloss::service::{self, User};
use sqlx::{QueryBuilder, Sqlite};
use tempfile::TempDir;

use super::{PASSWORD, corpus};

/// A fresh database file in a temporary directory.
pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub db: Db,
}

pub async fn fresh_db() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gloss.db");
    let db = db::open(&path).await.expect("database opens");
    Fixture { dir, path, db }
}

impl Fixture {
    /// Closes the pool so the server (or the CLI) has the file to itself. With
    /// `GLOSS_BENCH_KEEP_DB=PATH` the fixture is also copied there, for investigation.
    pub async fn close(&self) {
        self.db.close().await;
        if let Some(keep) = std::env::var_os("GLOSS_BENCH_KEEP_DB") {
            std::fs::copy(&self.path, &keep).expect("copy the fixture database");
            println!("fixture database copied to {}", Path::new(&keep).display());
        }
    }
}

pub async fn user(db: &Db, name: &str, admin: bool) -> User {
    service::accounts::create_user(db, name, PASSWORD, admin)
        .await
        .expect("user created")
}

pub async fn token(db: &Db, user: &User) -> String {
    service::tokens::create(db, user, "bench", Default::default())
        .await
        .expect("token")
        .secret
}

pub async fn project(db: &Db, owner: &User, name: &str) -> i64 {
    service::projects::create(db, owner, name, "")
        .await
        .expect("project created")
        .project_id()
}

pub async fn add_member(db: &Db, project_id: i64, user: &User, role: &str) {
    let role = gloss::domain::Role::parse(role).expect("a role");
    db::members::upsert(db, project_id, user.id, role)
        .await
        .expect("member added");
}

/// Imports the corpus through the same service the CLI uses; returns the document count.
pub async fn import_corpus(db: &Db, project_id: i64) -> usize {
    let path = corpus();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let files = vec![service::import::UploadedFile {
        name: "workforce_transcripts.csv".into(),
        bytes,
    }];
    let summary = service::import::import_files_as_operator(
        db,
        project_id,
        files,
        service::import::ImportSettings::default(),
    )
    .await
    .expect("corpus imported");
    summary.documents.len()
}

/// A codebook of `count` codes: every fifth a top-level theme, the rest its sub-codes.
pub async fn add_codes(db: &Db, project_id: i64, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    let mut parent = None;
    for i in 0..count {
        let top = i % 5 == 0;
        let name = format!("{} {i}", if top { "Theme" } else { "Code" });
        let color = format!("#{:02x}{:02x}{:02x}", (i * 37) % 256, (i * 91) % 256, 128);
        let new = db::codes::NewCode {
            project_id,
            parent_id: if top { None } else { parent },
            name: &name,
            color: &color,
            description: "",
        };
        let id = db::codes::insert(db, &new).await.expect("code inserted");
        if top {
            parent = Some(id);
        }
        ids.push(id);
    }
    ids
}

/// A small deterministic generator (splitmix64): no dependency, same fixture every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Coders `a`, `b` and `c`.
pub async fn three_coders(db: &Db) -> [User; 3] {
    [
        user(db, "a", false).await,
        user(db, "b", false).await,
        user(db, "c", false).await,
    ]
}

/// A project of `lead`'s holding the workforce corpus, coded by `coders` (members) with a
/// 50-code codebook in the given shape.
pub struct CodedProject {
    pub id: i64,
    pub documents: usize,
    pub codes: Vec<i64>,
    pub seeded: Seeded,
}

pub async fn coded_project(
    db: &Db,
    lead: &User,
    name: &str,
    coders: &[User],
    shape: CodingShape,
) -> CodedProject {
    let id = project(db, lead, name).await;
    let documents = import_corpus(db, id).await;
    for coder in coders {
        add_member(db, id, coder, "coder").await;
    }
    let codes = add_codes(db, id, 50).await;
    let coder_ids: Vec<i64> = coders.iter().map(|c| c.id).collect();
    let seeded = seed_coding(db, id, &coder_ids, &codes, shape).await;
    CodedProject {
        id,
        documents,
        codes,
        seeded,
    }
}

/// How the synthetic coding looks.
#[derive(Debug, Clone, Copy)]
pub struct CodingShape {
    /// Coded passages per document; each coder codes each passage with 85 % probability,
    /// with its own boundaries (±20 code points) and, 10 % of the time, a different code.
    pub passages_per_document: usize,
    /// Percentage of excerpts that carry a second code.
    pub second_code_percent: u64,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Seeded {
    pub excerpts: usize,
    /// `(excerpt, code)` pairs: rows of the excerpt export, codings of the agreement.
    pub applications: usize,
    pub documents: usize,
}

struct Row {
    id: i64,
    document_id: i64,
    coder_id: i64,
    start: i64,
    end: i64,
}

/// Codes every document of the project for each coder, written directly through SQL in
/// one transaction (multi-row inserts): realistic, overlapping, partially agreeing spans.
pub async fn seed_coding(
    db: &Db,
    project_id: i64,
    coders: &[i64],
    codes: &[i64],
    shape: CodingShape,
) -> Seeded {
    let documents = db::documents::lengths(db, project_id)
        .await
        .expect("documents");
    let mut rng = Rng::new(shape.seed);
    let mut tx = db::begin_write(db).await.expect("transaction");
    let mut next_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM excerpts")
        .fetch_one(&mut *tx)
        .await
        .expect("next id");
    let mut rows: Vec<Row> = Vec::new();
    let mut applications: Vec<(i64, i64)> = Vec::new();
    let mut seeded = Seeded::default();
    for (document_id, _, len) in &documents {
        let len = *len as u64;
        if len < 700 {
            continue;
        }
        seeded.documents += 1;
        let mut push = |rng: &mut Rng, coder_id: i64, code: i64, start: u64, end: u64| {
            let id = next_id;
            next_id += 1;
            rows.push(Row {
                id,
                document_id: *document_id,
                coder_id,
                start: start as i64,
                end: end as i64,
            });
            applications.push((id, code));
            if rng.chance(shape.second_code_percent) {
                let other = codes[rng.index(codes.len())];
                if other != code {
                    applications.push((id, other));
                }
            }
        };
        for _ in 0..shape.passages_per_document {
            let code = codes[rng.index(codes.len())];
            let start = rng.below(len - 600);
            let end = start + 30 + rng.below(470);
            for &coder in coders {
                if rng.chance(85) {
                    let s = (start + rng.below(41)).saturating_sub(20);
                    let e = (end + rng.below(41)).saturating_sub(20).min(len);
                    let code = if rng.chance(10) {
                        codes[rng.index(codes.len())]
                    } else {
                        code
                    };
                    push(&mut rng, coder, code, s, e.max(s + 1));
                }
            }
        }
        // Stray codings only one coder made.
        for &coder in coders {
            if rng.chance(30) {
                let start = rng.below(len - 200);
                let code = codes[rng.index(codes.len())];
                push(&mut rng, coder, code, start, start + 100);
            }
        }
    }
    for chunk in rows.chunks(1000) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpts (id, project_id, document_id, coder_id, start, end, memo) ",
        );
        insert.push_values(chunk, |mut row, r| {
            row.push_bind(r.id)
                .push_bind(project_id)
                .push_bind(r.document_id)
                .push_bind(r.coder_id)
                .push_bind(r.start)
                .push_bind(r.end)
                .push_bind("");
        });
        insert.build().execute(&mut *tx).await.expect("excerpts");
    }
    for chunk in applications.chunks(5000) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT OR IGNORE INTO excerpt_codes (excerpt_id, code_id) ");
        insert.push_values(chunk, |mut row, (excerpt, code)| {
            row.push_bind(*excerpt).push_bind(*code);
        });
        insert
            .build()
            .execute(&mut *tx)
            .await
            .expect("excerpt codes");
    }
    tx.commit().await.expect("commit");
    seeded.excerpts = rows.len();
    seeded.applications = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM excerpt_codes ec JOIN excerpts e ON e.id = ec.excerpt_id
         WHERE e.project_id = ?",
    )
    .bind(project_id)
    .fetch_one(db)
    .await
    .expect("count") as usize;
    seeded
}

/// The project's longest document: `(id, length in code points)`.
pub async fn longest_document(db: &Db, project_id: i64) -> (i64, i64) {
    db::documents::lengths(db, project_id)
        .await
        .expect("documents")
        .into_iter()
        .map(|(id, _, len)| (id, len))
        .max_by_key(|&(_, len)| len)
        .expect("a document")
}
