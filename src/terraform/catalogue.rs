//! The documents of AWS-managed policies a plan attaches by ARN. A plan names such a policy
//! but does not carry its document, and a plan alone has no AWS account to ask: keyward ships
//! the documents its rules need (`aws_managed_policies.json`: source, date and scope stated
//! there and in docs/terraform.md).

use serde::Deserialize;
use serde_json::Value;

const CATALOGUE: &str = include_str!("aws_managed_policies.json");

#[derive(Deserialize)]
struct Catalogue {
    policies: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    arn: String,
    document: Value,
}

/// The name and document of an AWS-managed policy by ARN (any partition), if catalogued.
pub fn aws_managed(arn: &str) -> Option<(String, Value)> {
    let path = arn.split_once(":iam::aws:policy/")?.1;
    let catalogue: Catalogue =
        serde_json::from_str(CATALOGUE).expect("the catalogue is valid JSON");
    catalogue
        .policies
        .into_iter()
        .find(|p| p.arn.ends_with(&format!(":policy/{path}")))
        .map(|p| (p.name, p.document))
}

/// Whether an ARN names an AWS-managed policy.
pub fn is_aws_managed(arn: &str) -> bool {
    arn.contains(":iam::aws:policy/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_names_its_source_and_date_and_every_document_has_statements() {
        let raw: Value = serde_json::from_str(CATALOGUE).unwrap();
        assert!(
            raw["source"]
                .as_str()
                .unwrap()
                .contains("aws-managed-policy")
        );
        assert!(raw["reflects"].as_str().unwrap().starts_with("20"));
        let catalogue: Catalogue = serde_json::from_str(CATALOGUE).unwrap();
        for policy in &catalogue.policies {
            assert!(
                policy.arn.starts_with("arn:aws:iam::aws:policy/"),
                "{}",
                policy.arn
            );
            assert!(
                policy.arn.ends_with(&format!("/{}", policy.name)),
                "{}",
                policy.arn
            );
            assert!(
                policy.document["Statement"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
            );
        }
    }

    #[test]
    fn policies_are_found_by_arn_in_any_partition() {
        let (name, document) = aws_managed("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(name, "AdministratorAccess");
        assert_eq!(document["Statement"][0]["Action"], "*");
        assert!(aws_managed("arn:aws-us-gov:iam::aws:policy/SecretsManagerReadWrite").is_some());
        assert!(
            aws_managed("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                .is_some()
        );
        assert!(aws_managed("arn:aws:iam::aws:policy/AmazonEC2FullAccess").is_none());
        assert!(aws_managed("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
    }
}
