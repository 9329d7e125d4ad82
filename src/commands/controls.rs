//! `keyward controls`: every control in scope and how much of it the loaded rules cover, at the
//! configured thresholds and without the disabled rules.

use super::error::{Error, exit};
use crate::cli::{ControlsArgs, ControlsFormat};
use crate::model::{FrameworkCoverage, MappedRule};
use crate::policy;

pub fn run(args: &ControlsArgs) -> Result<i32, Error> {
    let policies = super::policies::load(&args.policies)?;
    let config = super::policies::config(args.config.as_deref(), &policies)?;
    let catalogue = policy::builtin_catalogue();
    if let Some(wanted) = &args.framework
        && !catalogue.iter().any(|f| &f.id == wanted)
    {
        let known: Vec<&str> = catalogue.iter().map(|f| f.id.as_str()).collect();
        return Err(Error::Usage(format!(
            "no framework `{wanted}`: the catalogue has {}",
            known.join(", ")
        )));
    }
    let thresholds = config.thresholds.as_map();
    let enabled: Vec<_> = policies
        .rules()
        .iter()
        .filter(|r| !config.disabled_rules.contains(&r.metadata.id))
        .collect();
    let coverage: Vec<FrameworkCoverage> = catalogue
        .iter()
        .filter(|f| args.framework.as_ref().is_none_or(|wanted| &f.id == wanted))
        .map(|framework| {
            let rules: Vec<MappedRule> = enabled
                .iter()
                .filter_map(|r| r.metadata.mapped(&framework.id))
                .collect();
            framework.coverage(&rules, &thresholds)
        })
        .collect();
    let text = match args.format {
        ControlsFormat::Markdown => crate::report::controls::render(&coverage),
        ControlsFormat::Json => serde_json::to_string_pretty(&coverage).expect("json") + "\n",
    };
    super::output::write(None, &text)?;
    Ok(exit::CLEAN)
}
