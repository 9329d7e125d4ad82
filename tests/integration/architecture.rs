//! The house rule of `src/`: every module uses only modules below it (docs/architecture.md).
//!
//! The check reads the sources as text, the way a reviewer reads `use` lines: every path that
//! starts with `crate::` or `super::` (in `use` declarations and inline, test modules included)
//! is resolved to the file of the module it names. Then:
//! - between top-level modules, an edge must point to a lower layer (`LAYERS` below);
//! - inside a folder, a file may use its siblings but not its own folder's `mod.rs` (which
//!   declares and re-exports the files, so a use of it from inside is a cycle);
//! - the file graph as a whole has no cycle.
//!
//! A failure names the file, the line and the path, and says what to do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use modules of lower layers only; modules of one
/// layer are separate rooms and do not use each other.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["snapshot"],
    &["model", "synthetic"],
    &["config", "collect", "terraform", "access"],
    &["policy"],
    &["evaluation", "baseline", "drift", "merge", "report"],
    &["cli"],
    &["commands"],
];

/// A module: its path from the crate root (`["report", "table"]`).
type ModulePath = Vec<String>;

struct SourceFile {
    path: PathBuf,
    module: ModulePath,
    text: String,
}

/// One `crate::`/`super::` path found in a file, resolved to a module.
#[derive(Debug)]
struct Edge {
    line: usize,
    written: String,
    target: ModulePath,
}

#[test]
fn modules_only_use_modules_below_them() {
    let files = library_files();
    let modules: BTreeSet<ModulePath> = files.iter().map(|f| f.module.clone()).collect();
    let mut problems = Vec::new();
    let mut graph: BTreeMap<ModulePath, BTreeSet<ModulePath>> = BTreeMap::new();
    for file in &files {
        for edge in edges(file, &modules) {
            if let Some(problem) = judge(file, &edge) {
                problems.push(problem);
            }
            if edge.target != file.module && !is_ancestor(&file.module, &edge.target) {
                graph
                    .entry(file.module.clone())
                    .or_default()
                    .insert(edge.target);
            }
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
        problems.push(format!(
            "import cycle: {} (break it by moving what both sides need into a module below both)",
            names.join(" -> ")
        ));
    }
    assert!(
        problems.is_empty(),
        "{} architecture problem(s) in src/ (see docs/architecture.md for the layers):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The check itself catches what it is for: an upward use, a use of the folder's own
/// `mod.rs`, a cycle, and paths written in groups.
#[test]
fn the_check_finds_upward_uses_parent_uses_and_cycles() {
    let modules: BTreeSet<ModulePath> = [
        vec!["model"],
        vec!["report"],
        vec!["report", "table"],
        vec!["report", "summary"],
        vec!["commands"],
    ]
    .into_iter()
    .map(|m| m.into_iter().map(String::from).collect())
    .collect();
    let table = SourceFile {
        path: PathBuf::from("src/report/table.rs"),
        module: vec!["report".into(), "table".into()],
        text: "// crate::commands in a comment is no use\nuse crate::{model::Finding, commands::exit};\nfn f() { super::summary::line(); super::width(); let s = \"crate::commands\"; }\n".into(),
    };
    let found: Vec<(usize, String)> = edges(&table, &modules)
        .iter()
        .map(|e| (e.line, e.target.join("::")))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "model".to_owned()),
            (2, "commands".to_owned()),
            (3, "report::summary".to_owned()),
            (3, "report".to_owned()),
        ]
    );
    let problems: Vec<String> = edges(&table, &modules)
        .iter()
        .filter_map(|e| judge(&table, e))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("src/report/table.rs:2") && problems[0].contains("commands"));
    assert!(problems[1].contains("src/report/table.rs:3") && problems[1].contains("mod.rs"));

    let inline_tests = SourceFile {
        path: PathBuf::from("src/report/table.rs"),
        module: vec!["report".into(), "table".into()],
        text: "fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\nfn g() { super::width(); }\n".into(),
    };
    let found: Vec<(usize, String)> = edges(&inline_tests, &modules)
        .iter()
        .map(|e| (e.line, e.target.join("::")))
        .collect();
    assert_eq!(
        found,
        vec![(4, "report::table".to_owned()), (6, "report".to_owned())]
    );

    let module = |m: &str| -> ModulePath { m.split("::").map(String::from).collect() };
    let graph = BTreeMap::from([
        (module("a"), BTreeSet::from([module("b")])),
        (module("b"), BTreeSet::from([module("c")])),
        (module("c"), BTreeSet::from([module("a")])),
    ]);
    assert_eq!(
        find_cycle(&graph),
        Some(vec![module("a"), module("b"), module("c"), module("a")])
    );
    assert_eq!(
        find_cycle(&BTreeMap::from([(
            module("a"),
            BTreeSet::from([module("b")])
        )])),
        None
    );
}

/// Every `.rs` file of the library (`main.rs` is the binary on top of everything).
fn library_files() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    collect_rs_files(&src, &mut paths);
    paths
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&src).expect("below src");
            let module = module_of(relative)?;
            let text = std::fs::read_to_string(&path).expect("source is readable");
            Some(SourceFile {
                path: Path::new("src").join(relative),
                module,
                text,
            })
        })
        .collect()
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `report/table.rs` -> `report::table`, `report/mod.rs` -> `report`; `None` for the crate
/// root and the binary.
fn module_of(relative: &Path) -> Option<ModulePath> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [only] if only == "lib" || only == "main" => None,
        [] => None,
        _ => Some(parts),
    }
}

/// A problem with one edge, or `None` when it points where it may.
fn judge(file: &SourceFile, edge: &Edge) -> Option<String> {
    let place = format!("{}:{}", file.path.display(), edge.line);
    let (from, to) = (&file.module[0], &edge.target[0]);
    if from != to {
        let (from_layer, to_layer) = (layer_of(from), layer_of(to));
        let Some(from_layer) = from_layer else {
            return Some(format!(
                "{place}: module `{from}` has no layer: add it to LAYERS in tests/integration/architecture.rs and to docs/architecture.md"
            ));
        };
        return match to_layer {
            Some(to_layer) if to_layer < from_layer => None,
            _ => Some(format!(
                "{place}: `{}` makes `{from}` use `{to}`, which is not below it: move what `{from}` needs from `{to}` into a lower module, or pass it in as a value",
                edge.written
            )),
        };
    }
    if is_ancestor(&file.module, &edge.target) {
        return Some(format!(
            "{place}: `{}` uses the folder's own mod.rs ({}) from inside it: move the item into a sibling file that both use",
            edge.written,
            edge.target.join("::")
        ));
    }
    None
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Whether `other` is a strict ancestor of `module` (`report` of `report::table`).
fn is_ancestor(module: &[String], other: &[String]) -> bool {
    other.len() < module.len() && module.starts_with(other)
}

/// The `crate::` and `super::` paths of a file, resolved to the modules they name. Inline
/// modules (`mod tests { use super::*; }`) are followed, so that their `super` is the file.
fn edges(file: &SourceFile, modules: &BTreeSet<ModulePath>) -> Vec<Edge> {
    let code = strip_comments_and_strings(&file.text);
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    // The inline modules the scan is inside, with the brace depth each one opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !is_ident_byte(bytes[i - 1]) && bytes[i - 1] != b':';
        let rest = &code[i..];
        if bytes[i] == b'{' {
            depth += 1;
            i += 1;
        } else if bytes[i] == b'}' {
            depth -= 1;
            if inline.last().is_some_and(|(_, opened)| *opened == depth) {
                inline.pop();
            }
            i += 1;
        } else if at_word_start && let Some(name) = inline_module_at(rest) {
            inline.push((name, depth));
            i += rest.find('{').expect("an inline module has a body");
        } else if at_word_start && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let line = code[..i].matches('\n').count() + 1;
            let here: ModulePath = file
                .module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(name, _)| name.clone()))
                .collect();
            let (paths, end) = parse_path(&code, i);
            for written in paths {
                if let Some(target) = resolve(&here, &written, modules) {
                    found.push(Edge {
                        line,
                        written: written.join("::"),
                        target,
                    });
                }
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// The name of the inline module `mod NAME {` that starts here, if one does.
fn inline_module_at(code: &str) -> Option<String> {
    let rest = code.strip_prefix("mod ")?.trim_start();
    let name_end = rest.find(|c: char| !c.is_alphanumeric() && c != '_')?;
    let (name, after) = rest.split_at(name_end);
    (!name.is_empty() && after.trim_start().starts_with('{')).then(|| name.to_owned())
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses `a::b::{c, d::e}` from `start`, returning every full path it names and where it ends.
fn parse_path(code: &str, start: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = code.as_bytes();
    let mut prefix = Vec::new();
    let mut i = start;
    loop {
        let word_end = (i..bytes.len())
            .find(|&j| !is_ident_byte(bytes[j]))
            .unwrap_or(bytes.len());
        if word_end == i {
            break;
        }
        prefix.push(code[i..word_end].to_owned());
        i = word_end;
        if !code[i..].starts_with("::") {
            return (vec![prefix], i);
        }
        i += 2;
        i += code[i..].len() - code[i..].trim_start().len();
        if bytes.get(i) == Some(&b'{') {
            let (group, end) = parse_group(code, i + 1);
            let paths = group
                .into_iter()
                .map(|tail| prefix.iter().cloned().chain(tail).collect())
                .collect();
            return (paths, end);
        }
    }
    (vec![prefix], i)
}

/// The comma-separated paths of a `{ … }` group, from just after its `{`.
fn parse_group(code: &str, start: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = code.as_bytes();
    let mut paths = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'}' => return (paths, i + 1),
            b if is_ident_byte(b) => {
                let (found, end) = parse_path(code, i);
                paths.extend(found.into_iter().filter(|p| p != &["self"]));
                // Skip an `as alias`.
                i = end;
            }
            _ => i += 1,
        }
    }
    (paths, i)
}

/// The module a path names: `super` is resolved against the file's module, and the path is cut
/// to its longest prefix that is a module (the rest names an item inside it).
fn resolve(
    from: &[String],
    written: &[String],
    modules: &BTreeSet<ModulePath>,
) -> Option<ModulePath> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = written;
    if rest.first().is_some_and(|w| w == "crate") {
        rest = &rest[1..];
    } else {
        base = from.to_vec();
        while rest.first().is_some_and(|w| w == "super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    let full: Vec<String> = base.into_iter().chain(rest.iter().cloned()).collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|candidate| modules.contains(candidate))
}

/// The code with comments and string literals blanked (newlines kept, so lines still count).
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i)
        {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            i += 2 + hashes;
            while i < chars.len() && !chars[i..].iter().collect::<String>().starts_with(&closing) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            i += closing.chars().count();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `'x'` and `'\n'` are characters; `'a` in `&'a str` is a lifetime.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

/// A cycle in the graph, as the modules along it with the first repeated at the end.
fn find_cycle(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Option<Vec<ModulePath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    fn visit(
        node: &ModulePath,
        graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        marks: &mut BTreeMap<ModulePath, Mark>,
        path: &mut Vec<ModulePath>,
    ) -> Option<Vec<ModulePath>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::OnPath) => {
                let start = path.iter().position(|m| m == node).expect("on the path");
                let mut cycle = path[start..].to_vec();
                cycle.push(node.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::OnPath);
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}
