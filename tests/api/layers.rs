//! The house rules of ARCHITECTURE.md, checked against the source: which layer may import
//! which, and no import cycle between the files of `src/`. A new `use` that breaks a rule
//! fails here, naming the file and the line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its text up to its inline tests (tests may use
/// whatever they like).
fn sources() -> BTreeMap<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
                let relative = path.strip_prefix(&root).expect("under src").to_path_buf();
                found.insert(relative, code);
            }
        }
    }
    found
}

/// The `crate::…` and `super::…` paths a file names, with their line numbers.
fn named_paths(code: &str) -> Vec<(usize, String)> {
    let mut paths = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        for start in ["crate::", "super::"] {
            let mut rest = line;
            while let Some(at) = rest.find(start) {
                let path: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                paths.push((number + 1, path.trim_end_matches(':').to_owned()));
                rest = &rest[at + start.len()..];
            }
        }
    }
    paths
}

/// The module path of a file: `service/excerpts/group_commit.rs` → `[service, excerpts,
/// group_commit]`; `mod.rs` and `lib.rs` name their folder.
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The absolute module path a `crate::`/`super::` path names, from inside `module`.
fn absolute(module: &[String], path: &str) -> Vec<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = Vec::new();
    if segments.first() == Some(&"crate") {
        segments.remove(0);
    } else {
        // `super` in `a/b.rs` (module a::b) is `a`; in `a/b/mod.rs` (also a::b) it is `a`.
        base = module.to_vec();
        while segments.first() == Some(&"super") {
            segments.remove(0);
            base.pop();
        }
    }
    base.extend(segments.iter().map(|s| s.to_string()));
    base
}

/// The file among `files` that holds the longest prefix of `target`.
fn file_for(files: &BTreeMap<Vec<String>, PathBuf>, target: &[String]) -> Option<PathBuf> {
    (1..=target.len())
        .rev()
        .find_map(|n| files.get(&target[..n]).cloned())
}

fn layer(file: &Path) -> &str {
    file.components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .map(|s| s.trim_end_matches(".rs"))
        .unwrap_or("")
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    // What each layer must not name. The domain is pure; storage knows nothing of the
    // rules; services know nothing of HTTP; web and CLI reach storage through services.
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "crate::db",
                "crate::service",
                "crate::web",
                "crate::cli",
                "sqlx",
                "axum",
                "tokio",
            ],
        ),
        ("db", &["crate::service", "crate::web", "crate::cli"]),
        ("service", &["crate::web", "crate::cli", "axum"]),
        ("web", &["crate::db", "crate::cli"]),
        ("cli", &["crate::db", "crate::web"]),
    ];
    let mut broken = Vec::new();
    for (file, code) in sources() {
        let Some((_, names)) = forbidden.iter().find(|(l, _)| *l == layer(&file)) else {
            continue;
        };
        for (number, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            for name in *names {
                let named = line.contains(&format!("{name}::"))
                    || line.contains(&format!("use {name};"))
                    || line.contains(&format!("{name}!"));
                if named {
                    broken.push(format!(
                        "{}:{}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layer rule broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_files_of_src_import_each_other_without_a_cycle() {
    let sources = sources();
    let files: BTreeMap<Vec<String>, PathBuf> =
        sources.keys().map(|f| (module_of(f), f.clone())).collect();
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (file, code) in &sources {
        let module = module_of(file);
        for (_, path) in named_paths(code) {
            let target = absolute(&module, &path);
            if let Some(to) = file_for(&files, &target) {
                // A parent module declaring its children is not an import.
                let child_of_file = module_of(&to).starts_with(&module) && to != *file;
                if to != *file && !child_of_file {
                    edges.entry(file.clone()).or_default().insert(to);
                }
            }
        }
    }
    let mut cycles = Vec::new();
    for start in edges.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> =
                        trail.iter().map(|f| f.display().to_string()).collect();
                    cycles.push(names.join(" → "));
                } else if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    // The check itself: two files that name each other form a cycle.
    let module_a = module_of(Path::new("service/a.rs"));
    let to_b = absolute(&module_a, "super::b::thing");
    assert_eq!(to_b, ["service", "b", "thing"]);
    let from_folder = absolute(&module_of(Path::new("service/a/mod.rs")), "super::b");
    assert_eq!(from_folder, ["service", "b"]);
    let files = BTreeMap::from([(
        vec!["service".to_owned(), "b".to_owned()],
        PathBuf::from("service/b.rs"),
    )]);
    assert_eq!(file_for(&files, &to_b), Some(PathBuf::from("service/b.rs")));
    assert_eq!(
        named_paths("use super::b::{x, y};\nlet z = crate::db::open(p); // crate::web"),
        [
            (1, "super::b".to_owned()),
            (2, "crate::db::open".to_owned())
        ]
    );
}
