//! The SARIF files of a sharded scan's parts (`scan --shard K/N --format sarif`) packed again
//! into files of at most `MAX_RUNS` runs, GitHub's limit per upload. Each keyward run is one
//! account under its own category (`automationDetails.id`, `<prefix>/aws/<account>/`), and
//! GitHub tracks alerts per category, not per file or upload: an account's alerts carry over
//! from one night to the next whichever file it lands in, and an upload closes no alert of an
//! account it does not hold.
//!
//! Runs are copied as they are (each carries its own rules). Two runs of one account are
//! refused; the config run (`<prefix>/config/`, expired waivers), which every part of one scan
//! writes alike, is kept once.

use serde_json::Value;

use super::rendered::ReportError;
use super::sarif::MAX_RUNS;

/// One SARIF file given: its name (for errors) and its parsed JSON.
pub struct SarifInput {
    pub name: String,
    pub log: Value,
}

/// The runs of every input, in files of at most `MAX_RUNS` runs (each file's text).
pub fn merge(inputs: Vec<SarifInput>) -> Result<Vec<String>, ReportError> {
    let mut schema = None;
    let mut runs: Vec<(String, Value)> = Vec::new();
    let mut origins: Vec<String> = Vec::new();
    for input in inputs {
        let SarifInput { name, mut log } = input;
        if log["version"] != "2.1.0" || !log["runs"].is_array() {
            return Err(ReportError(format!(
                "{name} is not a SARIF 2.1.0 log\nhint: give the SARIF files of `keyward scan --format sarif`, or JSON reports"
            )));
        }
        schema = schema.or_else(|| log.get("$schema").cloned());
        let Value::Array(file_runs) = log["runs"].take() else {
            unreachable!("checked to be an array");
        };
        for run in file_runs {
            let Some(id) = run["automationDetails"]["id"].as_str().map(str::to_owned) else {
                return Err(ReportError(format!(
                    "{name}: a run without automationDetails.id cannot be told from the others\nhint: give the SARIF files of `keyward scan --format sarif`"
                )));
            };
            match runs.iter().position(|(seen, _)| *seen == id) {
                Some(_) if id.ends_with("/config/") => {}
                Some(first) => {
                    return Err(ReportError(format!(
                        "{} and {name} both hold the run {}: each account must be in one part only",
                        origins[first],
                        crate::text::terminal_safe(&id)
                    )));
                }
                None => {
                    runs.push((id, run));
                    origins.push(name.clone());
                }
            }
        }
    }
    let schema = schema.unwrap_or_else(|| Value::from(super::sarif::SCHEMA));
    let mut files = Vec::new();
    let mut runs = runs.into_iter().map(|(_, run)| run).peekable();
    while runs.peek().is_some() {
        let part: Vec<Value> = runs.by_ref().take(MAX_RUNS).collect();
        let log = serde_json::json!({"$schema": schema, "version": "2.1.0", "runs": part});
        files.push(serde_json::to_string_pretty(&log).expect("SARIF always serializes") + "\n");
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(ids: &[&str]) -> Value {
        let runs: Vec<Value> = ids
            .iter()
            .map(|id| serde_json::json!({"tool": {"driver": {"name": "keyward"}}, "automationDetails": {"id": id}, "results": []}))
            .collect();
        serde_json::json!({"$schema": "s", "version": "2.1.0", "runs": runs})
    }

    fn input(name: &str, ids: &[&str]) -> SarifInput {
        SarifInput {
            name: name.to_owned(),
            log: log(ids),
        }
    }

    fn run_ids(file: &str) -> Vec<String> {
        let log: Value = serde_json::from_str(file).unwrap();
        log["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["automationDetails"]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn runs_are_packed_into_files_of_at_most_twenty() {
        let ids: Vec<String> = (0..45).map(|i| format!("k/aws/{i:012}/")).collect();
        let parts: Vec<SarifInput> = ids
            .chunks(15)
            .enumerate()
            .map(|(i, chunk)| {
                let mut ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
                ids.push("k/config/");
                input(&format!("part-{i}.sarif"), &ids)
            })
            .collect();
        let files = merge(parts).unwrap();
        let sizes: Vec<usize> = files.iter().map(|f| run_ids(f).len()).collect();
        assert_eq!(sizes, [20, 20, 6]);
        let all: Vec<String> = files.iter().flat_map(|f| run_ids(f)).collect();
        assert_eq!(all.iter().filter(|id| *id == "k/config/").count(), 1);
        assert_eq!(all.len(), 46);
    }

    #[test]
    fn an_account_in_two_files_is_refused() {
        let error = merge(vec![
            input("a.sarif", &["k/aws/111111111111/"]),
            input("b.sarif", &["k/aws/111111111111/"]),
        ])
        .unwrap_err();
        assert!(
            error
                .0
                .contains("a.sarif and b.sarif both hold the run k/aws/111111111111/"),
            "{}",
            error.0
        );
    }

    #[test]
    fn what_is_not_sarif_is_refused() {
        let error = merge(vec![SarifInput {
            name: "r.json".to_owned(),
            log: serde_json::json!({"report_version": 2}),
        }])
        .unwrap_err();
        assert!(
            error.0.contains("r.json is not a SARIF 2.1.0 log"),
            "{}",
            error.0
        );
    }
}
