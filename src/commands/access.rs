//! `keyward access`: who can read secrets in effect, each reader with its route, as a table or
//! JSON. By default the secrets that look like third-party API keys.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use super::error::{Error, exit};
use crate::cli::{AccessArgs, ListFormat};
use crate::evaluation::AsOf;
use crate::model::access::{Access, OutsideReader, PolicyPath, Reader, SecretReaders};
use crate::report::Terminal;
use crate::report::grid::Cell;
use crate::snapshot::{self, Secret, Snapshot};
use crate::text::{quoted, terminal_safe};

pub fn run(args: &AccessArgs) -> Result<i32, Error> {
    let config = crate::config::load(args.config.as_deref(), |_| true)?;
    let markers: Vec<String> = config
        .third_party_key_markers
        .iter()
        .filter(|m| !m.is_empty())
        .map(|m| m.to_lowercase())
        .collect();
    if let Some(output) = &args.output {
        let config = args
            .config
            .as_deref()
            .unwrap_or(Path::new(crate::config::DEFAULT_CONFIG_FILE));
        let inputs = args.snapshots.iter().map(|p| p.as_path()).chain([config]);
        super::files::refuse_overwriting_inputs(output, inputs)?;
    }
    let snapshots = read_snapshots(args)?;
    check_names(&args.secrets, &snapshots)?;
    let default_as_of = if args.demo {
        AsOf::Snapshot
    } else {
        AsOf::At(Utc::now())
    };
    let choice = Choice {
        names: &args.secrets,
        markers: &markers,
    };
    let accounts: Vec<Account> = snapshots
        .iter()
        .map(|snapshot| Account {
            account: &snapshot.account.id,
            secrets: Secrets {
                snapshot,
                as_of: match args.as_of.unwrap_or(default_as_of) {
                    AsOf::At(time) => time,
                    AsOf::Snapshot => snapshot.collected_at,
                },
                choice: &choice,
            },
        })
        .collect();
    let terminal = super::console::terminal_for(args.output.as_deref());
    // Written as each secret's readers are worked out: a key that hundreds of principals can
    // read, in an account of thousands of keys, makes a listing of hundreds of megabytes.
    let styled = args.format == ListFormat::Table;
    super::output::write_with(args.output.as_deref(), styled, |out| match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &Listing { accounts })?;
            out.write_all(b"\n")
        }
        ListFormat::Table => accounts
            .iter()
            .try_for_each(|account| write_table(out, account, terminal)),
    })?;
    Ok(exit::CLEAN)
}

/// The secrets listed: those named, or by default those that look like third-party API keys.
struct Choice<'a> {
    names: &'a [String],
    markers: &'a [String],
}

impl Choice<'_> {
    fn wants(&self, secret: &Secret) -> bool {
        if self.names.is_empty() {
            !crate::policy::third_party_markers(secret, self.markers).is_empty()
        } else {
            self.names
                .iter()
                .any(|s| *s == secret.arn || *s == secret.name)
        }
    }
}

/// The JSON listing: `{"accounts": [{"account": …, "secrets": [readers of each secret]}]}`.
#[derive(Serialize)]
struct Listing<'a> {
    accounts: Vec<Account<'a>>,
}

#[derive(Serialize)]
struct Account<'a> {
    account: &'a str,
    secrets: Secrets<'a>,
}

/// The chosen secrets of one account with their readers as of `as_of`, worked out as they are
/// written (see `access::each_secret_readers`).
struct Secrets<'a> {
    snapshot: &'a Snapshot,
    as_of: DateTime<Utc>,
    choice: &'a Choice<'a>,
}

impl Secrets<'_> {
    fn each<E>(&self, visit: impl FnMut(SecretReaders) -> Result<(), E>) -> Result<(), E> {
        let wanted = |secret: &Secret| self.choice.wants(secret);
        crate::access::each_secret_readers(self.snapshot, self.as_of, &wanted, visit)
    }
}

impl Serialize for Secrets<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(None)?;
        self.each(|secret| list.serialize_element(&secret))?;
        list.end()
    }
}

fn read_snapshots(args: &AccessArgs) -> Result<Vec<Snapshot>, Error> {
    if args.demo {
        return Ok(vec![snapshot::parse(
            Path::new("<demo>"),
            super::scan::DEMO_SNAPSHOT,
        )?]);
    }
    if args.snapshots.is_empty() {
        // The accounts of an organization end in any order: listed by account id.
        let mut snapshots = Vec::new();
        super::collect::collect(&args.collect, |snapshot| {
            snapshots.push(snapshot);
            Ok(())
        })?;
        snapshots.sort_by(|a, b| a.account.id.cmp(&b.account.id));
        return Ok(snapshots);
    }
    Ok(args
        .snapshots
        .iter()
        .map(|path| snapshot::load(path))
        .collect::<Result<Vec<_>, _>>()?)
}

/// A secret asked for by name or ARN that no snapshot has is a mistake worth a message.
fn check_names(wanted: &[String], snapshots: &[Snapshot]) -> Result<(), Error> {
    for name in wanted {
        let found = snapshots
            .iter()
            .flat_map(|s| &s.secrets)
            .any(|secret| *name == secret.arn || *name == secret.name);
        if !found {
            return Err(Error::Usage(format!(
                "no secret has the ARN or name {}: `keyward access` without names lists the secrets that look like third-party API keys",
                quoted(name)
            )));
        }
    }
    Ok(())
}

/// One account's secrets as tables of readers, each secret as its readers are worked out.
fn write_table(out: &mut dyn Write, account: &Account, terminal: Terminal) -> io::Result<()> {
    let id = account.account;
    let mut listed = 0;
    account.secrets.each(|secret| {
        listed += 1;
        out.write_all(secret_table(id, &secret, terminal).as_bytes())
    })?;
    if listed == 0 {
        let what = if account.secrets.choice.names.is_empty() {
            "no secret looks like a third-party API key (name them to see others)"
        } else {
            "no secret asked for is in this account"
        };
        writeln!(out, "account {id}: {what}\n")?;
    }
    Ok(())
}

/// A secret's heading and the table of its readers.
fn secret_table(account: &str, secret: &SecretReaders, terminal: Terminal) -> String {
    let mut out = format!("{}\n\n", heading(account, secret));
    if secret.scheduled_for_deletion {
        return out;
    }
    let mut rows: Vec<[String; 4]> = secret.readers.iter().map(reader_row).collect();
    rows.extend(secret.outside.iter().map(outside_row));
    if rows.is_empty() {
        out.push_str("nobody can read it\n\n");
        return out;
    }
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|row| row.map(Cell::from).to_vec())
        .collect();
    let table =
        crate::report::grid::render(Some(&["READER", "ACCESS", "VIA", "ROUTE"]), &rows, terminal);
    let _ = writeln!(out, "{table}");
    out
}

fn heading(account: &str, secret: &SecretReaders) -> String {
    let mut facts = Vec::new();
    if secret.scheduled_for_deletion {
        facts.push("scheduled for deletion: nobody can read it until it is restored".to_owned());
    } else {
        let conditional = secret
            .readers
            .iter()
            .filter(|r| r.access == Access::Conditional)
            .count();
        facts.push(format!(
            "{} of the account's principals can read it ({conditional} only under a condition keyward cannot judge)",
            secret.readers.len()
        ));
        if secret.public {
            facts.push("anyone with AWS credentials can read it".to_owned());
        } else if secret.outside_account {
            facts.push("readable from outside the account".to_owned());
        }
    }
    format!(
        "{} ({}, account {account}): {}",
        terminal_safe(&secret.name),
        terminal_safe(&secret.region),
        facts.join("; ")
    )
}

fn access_text(access: Access) -> &'static str {
    match access {
        Access::Allowed => "allowed",
        Access::Conditional => "conditional",
    }
}

fn reader_row(reader: &Reader) -> [String; 4] {
    let mut route: Vec<String> = reader
        .chain
        .iter()
        .map(|arn| format!("as {}", short(arn)))
        .collect();
    route.extend(reader.paths.iter().map(path_text));
    route.extend(reader.escalations.iter().map(|e| {
        let target = e.target.as_deref().map(short).unwrap_or_default();
        format!("{} {}", e.actions.join(" + "), target)
            .trim_end()
            .to_owned()
    }));
    [
        short(&reader.principal),
        access_text(reader.access).to_owned(),
        terminal_safe(&reader.via).replace('_', " "),
        route.join("\n"),
    ]
}

fn outside_row(reader: &OutsideReader) -> [String; 4] {
    let who = match reader.accounts.as_slice() {
        [] => terminal_safe(&reader.principal).into_owned(),
        [account] if *account == reader.principal => format!("account {account}"),
        accounts => format!(
            "{} (account {})",
            terminal_safe(&reader.principal),
            terminal_safe(&accounts.join(", "))
        ),
    };
    let mut route: Vec<String> = reader
        .role
        .iter()
        .map(|role| format!("as {}", short(role)))
        .collect();
    route.extend(reader.paths.iter().map(path_text));
    [
        format!("{who} [{}]", reader.scope.replace('_', " ")),
        access_text(reader.access).to_owned(),
        terminal_safe(&reader.via).replace('_', " "),
        route.join("\n"),
    ]
}

fn path_text(path: &PolicyPath) -> String {
    let mut text = format!(
        "{} ({} of {})",
        terminal_safe(&path.policy),
        terminal_safe(&path.statement),
        short(&path.attached_to)
    );
    if !path.conditions.is_empty() {
        let _ = write!(
            text,
            " when {}",
            terminal_safe(&path.conditions.join(" and "))
        );
    }
    text
}

/// The resource part of an ARN (`user/alice`, `secret:prod/key-AbCdEf`), safe for a terminal.
fn short(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let resource = match parts.as_slice() {
        [_, _, _, _, _, resource] => resource,
        _ => arn,
    };
    terminal_safe(resource).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_shortened_to_their_resource() {
        assert_eq!(short("arn:aws:iam::1:user/alice"), "user/alice");
        assert_eq!(
            short("arn:aws:secretsmanager:us-east-1:1:secret:a/b-AbCdEf"),
            "secret:a/b-AbCdEf"
        );
        assert_eq!(short("*"), "*");
        assert_eq!(
            short("arn:aws:iam::1:user/a\u{1b}[2Jb"),
            "user/a\\u{1b}[2Jb"
        );
    }
}
