//! Rego forbids recursion: OPA rejects a rule or function that reaches itself when it compiles
//! the policy. regorus catches recursion through rules while it evaluates, but not through
//! functions: `f(x) := f(x)` recursed until the stack overflowed and the process aborted with
//! no message. This check finds cycles of function calls in the parsed modules, so that such a
//! policy is refused when it loads, with the cycle and the file named.
//!
//! Calls are static in Rego (a function cannot be passed as a value), so the call graph is
//! read off the syntax tree: every call in a function's bodies, resolved like regorus resolves
//! it (a full `data.` path, an imported name, or a name in the function's own package), and
//! every function a `with … as` puts in place of another.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};

/// A function defined in some module: its full path and where it is written.
struct Function {
    origin: String,
    line: u32,
    calls: BTreeSet<String>,
}

/// A cycle of function calls: each function's path, the first repeated at the end, and the
/// file and line of the first.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    pub path: Vec<String>,
    pub origin: String,
    pub line: u32,
}

/// The first cycle of function calls among `modules`, if there is one.
pub fn find_cycle<'a>(modules: impl IntoIterator<Item = &'a Module>) -> Option<Cycle> {
    let mut functions: BTreeMap<String, Function> = BTreeMap::new();
    let mut bodies: Vec<(String, &Module, &Rule)> = Vec::new();
    for module in modules {
        let package = format!("data.{}", ref_path(&module.package.refr)?);
        for rule in &module.policy {
            if let Rule::Spec {
                head: RuleHead::Func { refr, .. },
                span,
                ..
            } = rule.as_ref()
            {
                let path = format!("{package}.{}", ref_path(refr)?);
                functions.entry(path.clone()).or_insert_with(|| Function {
                    origin: span.source.file().clone(),
                    line: span.line,
                    calls: BTreeSet::new(),
                });
                bodies.push((path, module, rule));
            }
        }
    }
    for (path, module, rule) in bodies {
        let mut called = Vec::new();
        each_called_path(rule, &mut |name| called.push(name.to_owned()));
        let resolved: Vec<String> = called
            .iter()
            .filter_map(|name| resolve(module, name, &functions))
            .collect();
        if let Some(function) = functions.get_mut(&path) {
            function.calls.extend(resolved);
        }
    }
    first_cycle(&functions)
}

/// The full path a call refers to, if it is one of `functions`.
fn resolve(module: &Module, name: &str, functions: &BTreeMap<String, Function>) -> Option<String> {
    let (head, rest) = name.split_once('.').unwrap_or((name, ""));
    let candidates = [
        (head == "data").then(|| name.to_owned()),
        imported(module, head).map(|target| join(&target, rest)),
        ref_path(&module.package.refr).map(|package| format!("data.{package}.{name}")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| functions.contains_key(path))
}

/// What an import alias stands for: `import data.lib.iam` makes `iam` stand for
/// `data.lib.iam`, `import data.lib.iam as x` makes `x` stand for it.
fn imported(module: &Module, alias: &str) -> Option<String> {
    module.imports.iter().find_map(|import| {
        let target = ref_path(&import.refr)?;
        let name = match &import.r#as {
            Some(span) => span.text().to_owned(),
            None => target.rsplit('.').next()?.to_owned(),
        };
        (name == alias && target.starts_with("data.")).then_some(target)
    })
}

fn join(path: &str, rest: &str) -> String {
    if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}.{rest}")
    }
}

/// The dotted path of a reference such as `a.b["c"]`, `None` for anything else.
pub(super) fn ref_path(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Var { span, .. } => Some(span.text().to_owned()),
        Expr::RefDot { refr, field, .. } => Some(format!("{}.{}", ref_path(refr)?, field.0.text())),
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { value, .. } => {
                Some(format!("{}.{}", ref_path(refr)?, value.as_string().ok()?))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Calls `found` with the path of every function a rule calls or puts in place with `with`.
/// The walk keeps its own stack: a hostile policy may nest expressions deeper than a thread's
/// stack would go.
fn each_called_path(rule: &Rule, found: &mut dyn FnMut(&str)) {
    let mut pending: Vec<Node> = Vec::new();
    match rule {
        Rule::Spec { head, bodies, .. } => {
            if let RuleHead::Func { args, assign, .. } = head {
                pending.extend(args.iter().map(|a| Node::Expr(a)));
                pending.extend(assign.iter().map(|a| Node::Expr(&a.value)));
            }
            for body in bodies {
                pending.extend(body.assign.iter().map(|a| Node::Expr(&a.value)));
                pending.push(Node::Query(&body.query));
            }
        }
        Rule::Default { value, .. } => pending.push(Node::Expr(value)),
    }
    while let Some(node) = pending.pop() {
        match node {
            Node::Expr(expr) => {
                if let Expr::Call { fcn, .. } = expr
                    && let Some(path) = ref_path(fcn)
                {
                    found(&path);
                }
                push_children(expr, &mut pending);
            }
            Node::Query(query) => {
                for stmt in &query.stmts {
                    push_literal(&stmt.literal, &mut pending);
                    for with in &stmt.with_mods {
                        if let Some(path) = ref_path(&with.r#as) {
                            found(&path);
                        }
                        pending.push(Node::Expr(&with.refr));
                        pending.push(Node::Expr(&with.r#as));
                    }
                }
            }
        }
    }
}

/// A part of a rule still to be walked.
enum Node<'a> {
    Expr(&'a Expr),
    Query(&'a Query),
}

fn push_literal<'a>(literal: &'a Literal, pending: &mut Vec<Node<'a>>) {
    match literal {
        Literal::SomeVars { .. } => {}
        Literal::SomeIn {
            key,
            value,
            collection,
            ..
        } => {
            pending.extend(key.iter().map(|k| Node::Expr(k)));
            pending.push(Node::Expr(value));
            pending.push(Node::Expr(collection));
        }
        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
            pending.push(Node::Expr(expr))
        }
        Literal::Every { domain, query, .. } => {
            pending.push(Node::Expr(domain));
            pending.push(Node::Query(query));
        }
    }
}

/// The expressions and queries directly inside `expr`.
fn push_children<'a>(expr: &'a Expr, pending: &mut Vec<Node<'a>>) {
    let node = |e: &'a Ref<Expr>| Node::Expr(e);
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Var { .. } => {}
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            pending.extend(items.iter().map(node))
        }
        Expr::Object { fields, .. } => {
            for (_, key, value) in fields {
                pending.extend([node(key), node(value)]);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            pending.extend([node(term), Node::Query(query)])
        }
        Expr::ObjectCompr {
            key, value, query, ..
        } => pending.extend([node(key), node(value), Node::Query(query)]),
        Expr::Call { fcn, params, .. } => {
            pending.push(node(fcn));
            pending.extend(params.iter().map(node));
        }
        Expr::UnaryExpr { expr, .. } => pending.push(node(expr)),
        Expr::RefDot { refr, .. } => pending.push(node(refr)),
        Expr::RefBrack { refr, index, .. } => pending.extend([node(refr), node(index)]),
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => pending.extend([node(lhs), node(rhs)]),
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            pending.extend(key.iter().map(node));
            pending.extend([node(value), node(collection)]);
        }
    }
}

/// A depth-first search for a call that returns to a function still on the path, with its
/// own stack (a chain of calls may be as long as the policy).
fn first_cycle(functions: &BTreeMap<String, Function>) -> Option<Cycle> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in functions.keys() {
        if done.contains(start.as_str()) {
            continue;
        }
        // The path from `start`, each function with the callees it has left to try.
        let mut path: Vec<(&str, Vec<&str>)> = vec![(start, callees(functions, start))];
        while let Some((_, untried)) = path.last_mut() {
            let Some(next) = untried.pop() else {
                let (finished, _) = path.pop().expect("the path is not empty");
                done.insert(finished);
                continue;
            };
            if let Some(at) = path.iter().position(|(name, _)| *name == next) {
                let first = &functions[path[at].0];
                let mut cycle: Vec<String> = path[at..]
                    .iter()
                    .map(|(name, _)| (*name).to_owned())
                    .collect();
                cycle.push(next.to_owned());
                return Some(Cycle {
                    path: cycle,
                    origin: first.origin.clone(),
                    line: first.line,
                });
            }
            if !done.contains(next) {
                path.push((next, callees(functions, next)));
            }
        }
    }
    None
}

fn callees<'a>(functions: &'a BTreeMap<String, Function>, name: &str) -> Vec<&'a str> {
    functions[name].calls.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle_in(files: &[&str]) -> Option<Cycle> {
        let mut engine = regorus::Engine::new();
        for (i, text) in files.iter().enumerate() {
            engine
                .add_policy(format!("f{i}.rego"), (*text).to_owned())
                .unwrap();
        }
        find_cycle(engine.get_modules().iter().map(|m| m.as_ref()))
    }

    fn path(cycle: Option<Cycle>) -> Vec<String> {
        cycle.expect("a cycle").path
    }

    #[test]
    fn a_function_calling_itself_is_a_cycle() {
        let cycle = cycle_in(&["package a\n\nf(x) := y if {\n\ty := f(x)\n}\n"]).unwrap();
        assert_eq!(cycle.path, ["data.a.f", "data.a.f"]);
        assert_eq!((cycle.origin.as_str(), cycle.line), ("f0.rego", 3));
    }

    #[test]
    fn cycles_are_followed_through_packages_imports_and_full_paths() {
        let imported = [
            "package a\n\nimport data.b\n\nf(x) := b.g(x)\n",
            "package b\n\ng(x) := data.a.f(x) if { x > 0 } else := 0\n",
        ];
        assert_eq!(
            path(cycle_in(&imported)),
            ["data.a.f", "data.b.g", "data.a.f"]
        );
        let aliased = [
            "package a\n\nimport data.b.g as other\n\nf(x) := other(x)\n",
            "package b\n\ng(x) := [y | some y in [data.a.f(x)]]\n",
        ];
        assert_eq!(path(cycle_in(&aliased)).len(), 3);
        let in_a_comprehension_and_every =
            ["package a\n\nf(x) if {\n\tevery y in x {\n\t\tcount({z | z := f(y)}) > 0\n\t}\n}\n"];
        assert_eq!(path(cycle_in(&in_a_comprehension_and_every)).len(), 2);
    }

    #[test]
    fn calls_without_a_cycle_are_not_one() {
        let files = [
            "package a\n\nimport data.b\n\nf(x) := b.g(x) + count(x)\n\nr := f([1])\n",
            "package b\n\ng(x) := h(x)\n\nh(x) := count(x)\n\nf := 1\n",
        ];
        assert_eq!(cycle_in(&files), None);
        let builtin: Vec<String> = crate::policy::source::builtin_sources()
            .into_iter()
            .filter(|s| !s.is_test())
            .map(|s| s.text)
            .collect();
        let builtin: Vec<&str> = builtin.iter().map(String::as_str).collect();
        assert_eq!(cycle_in(&builtin), None);
    }
}
