//! The one way live collection records data it could not read. Every `CollectionError` a
//! collector writes is built here, so the rule "missing data never passes as clean" has one
//! shape: the call that failed, why, and the snapshot sections it leaves incomplete (the rules
//! that need them then report *not evaluated*).

use super::aws::CallError;
use crate::snapshot::{CollectionError, DataSection, ErrorKind};

impl CollectionError {
    /// A call that failed, with its classification and message as the SDK reported them.
    pub(super) fn from_call(
        service: &str,
        operation: &str,
        error: &CallError,
        sections: &[DataSection],
    ) -> CollectionError {
        CollectionError::new(
            service,
            operation,
            error.kind,
            error.message.clone(),
            sections,
        )
    }

    /// A call that succeeded but lacks data it should carry (a user missing from the
    /// credential report): as incomplete as a failed call.
    pub(super) fn not_available(
        service: &str,
        operation: &str,
        message: impl Into<String>,
        sections: &[DataSection],
    ) -> CollectionError {
        CollectionError::new(
            service,
            operation,
            ErrorKind::NotAvailable,
            message.into(),
            sections,
        )
    }

    /// Account-wide until scoped with [`in_region`](Self::in_region) or [`about`](Self::about).
    fn new(
        service: &str,
        operation: &str,
        kind: ErrorKind,
        message: String,
        sections: &[DataSection],
    ) -> CollectionError {
        CollectionError {
            sections: sections.to_vec(),
            service: service.to_owned(),
            operation: operation.to_owned(),
            region: None,
            resource: None,
            kind,
            message,
        }
    }

    /// The failure concerns one region: only that region's part of the sections is incomplete.
    pub(super) fn in_region(self, region: &str) -> CollectionError {
        CollectionError {
            region: Some(region.to_owned()),
            ..self
        }
    }

    /// The failure concerns one resource (a user, a secret): only its part is incomplete.
    pub(super) fn about(self, resource: &str) -> CollectionError {
        CollectionError {
            resource: Some(resource.to_owned()),
            ..self
        }
    }

    /// A message that says more than the call's own, e.g. what was done instead.
    pub(super) fn with_message(self, message: String) -> CollectionError {
        CollectionError { message, ..self }
    }
}

/// The errors of one call made once for each of `total` things (secrets, trails, regions).
/// When every one of them failed alike (a missing permission, typically), one error says so
/// for all of them, without the resource or region that told them apart.
pub(super) fn collapse(
    errors: Vec<CollectionError>,
    total: usize,
    things: &str,
) -> Vec<CollectionError> {
    let all_alike = errors.len() == total
        && errors
            .windows(2)
            .all(|pair| pair[0].kind == pair[1].kind && pair[0].operation == pair[1].operation);
    if total < 2 || !all_alike {
        return errors;
    }
    let first = &errors[0];
    let same_region = errors.iter().all(|e| e.region == first.region);
    vec![CollectionError {
        message: format!("all {total} {things}: {}", first.message),
        region: first.region.clone().filter(|_| same_region),
        resource: None,
        ..first.clone()
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_keeps_its_kind_and_message_and_names_its_sections() {
        let call = CallError {
            kind: ErrorKind::RetriesExhausted,
            message: "ThrottlingException: Rate exceeded".to_owned(),
            code: Some("ThrottlingException".to_owned()),
        };
        let error = CollectionError::from_call(
            "secretsmanager",
            "GetResourcePolicy",
            &call,
            &[DataSection::SecretResourcePolicies],
        );
        assert_eq!(error.kind, ErrorKind::RetriesExhausted);
        assert_eq!(error.message, call.message);
        assert_eq!(error.sections, [DataSection::SecretResourcePolicies]);
        assert_eq!((error.region, error.resource), (None, None));
    }

    fn denied_in(region: &str, resource: &str) -> CollectionError {
        CollectionError::not_available("cloudtrail", "GetTrailStatus", "denied", &[])
            .in_region(region)
            .about(resource)
    }

    #[test]
    fn failures_of_every_thing_alike_collapse_into_one() {
        let all = vec![denied_in("eu-west-1", "a"), denied_in("eu-west-1", "b")];
        let collapsed = collapse(all, 2, "trails");
        assert_eq!(collapsed.len(), 1);
        assert_eq!(collapsed[0].message, "all 2 trails: denied");
        assert_eq!(collapsed[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(collapsed[0].resource, None);

        let regions = vec![denied_in("eu-west-1", "a"), denied_in("us-east-1", "b")];
        assert_eq!(collapse(regions, 2, "trails")[0].region, None);
        let some = vec![denied_in("eu-west-1", "a"), denied_in("eu-west-1", "b")];
        assert_eq!(collapse(some, 3, "trails").len(), 2, "one thing was read");
        assert_eq!(
            collapse(vec![denied_in("eu-west-1", "a")], 1, "trails")[0]
                .resource
                .as_deref(),
            Some("a")
        );
    }

    #[test]
    fn scopes_narrow_an_account_wide_error() {
        let error = CollectionError::not_available(
            "secretsmanager",
            "GetResourcePolicy",
            "gone",
            &[DataSection::SecretResourcePolicies],
        )
        .in_region("eu-west-1")
        .about("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db");
        assert_eq!(error.kind, ErrorKind::NotAvailable);
        assert_eq!(error.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            error.resource.as_deref(),
            Some("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db")
        );
    }
}
