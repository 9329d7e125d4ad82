//! `keyward controls`: every control in scope and how much of it the loaded rules cover, at the
//! configured thresholds and without the disabled rules.

use super::error::{Error, exit};
use crate::cli::{ControlsArgs, ControlsFormat};
use crate::config::Config;
use crate::model::{Framework, FrameworkCoverage, MappedRule, RuleMetadata};
use crate::policy;

/// A usage error naming the known frameworks unless `wanted` is one of the catalogue's.
pub(super) fn check_framework(wanted: &str) -> Result<Framework, Error> {
    let catalogue = policy::builtin_catalogue();
    let known = catalogue.iter().find(|f| f.id == wanted).cloned();
    known.ok_or_else(|| {
        let known: Vec<&str> = catalogue.iter().map(|f| f.id.as_str()).collect();
        Error::Usage(format!(
            "no framework `{wanted}`: the catalogue has {}",
            known.join(", ")
        ))
    })
}

/// The coverage the given rules give a framework's controls at the configured thresholds.
pub(super) fn coverage_of(
    framework: &Framework,
    rules: &[&RuleMetadata],
    config: &Config,
) -> FrameworkCoverage {
    let mapped: Vec<MappedRule> = rules
        .iter()
        .filter_map(|r| r.mapped(&framework.id))
        .collect();
    framework.coverage(&mapped, &config.thresholds.as_map())
}

pub fn run(args: &ControlsArgs) -> Result<i32, Error> {
    let policies = super::policies::load(&args.policies)?;
    let config = super::policies::config(args.config.as_deref(), &policies)?;
    let catalogue = policy::builtin_catalogue();
    if let Some(wanted) = &args.framework {
        check_framework(wanted)?;
    }
    let enabled: Vec<&RuleMetadata> = policies
        .rules()
        .iter()
        .map(|r| &r.metadata)
        .filter(|r| !config.disabled_rules.contains(&r.id))
        .collect();
    let coverage: Vec<FrameworkCoverage> = catalogue
        .iter()
        .filter(|f| args.framework.as_ref().is_none_or(|wanted| &f.id == wanted))
        .map(|framework| coverage_of(framework, &enabled, &config))
        .collect();
    let text = match args.format {
        ControlsFormat::Markdown => crate::report::controls::render(&coverage),
        ControlsFormat::Json => serde_json::to_string_pretty(&coverage).expect("json") + "\n",
    };
    super::output::write(None, &text)?;
    Ok(exit::CLEAN)
}
