//! How far a live collection has got, on stderr: bars on a terminal (indicatif: one per
//! account being collected, and one for the accounts of an organization), plain lines
//! elsewhere (CI logs: one when the account starts and ends a stage, or for an organization one
//! when each account is done, and a summary every interval while calls are in flight, so that
//! a long scan never looks hung), nothing under `--quiet`. Every line is made terminal-safe: it names accounts that AWS answered with.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    Off,
    /// Bars redrawn in place (stderr is a terminal).
    Bars,
    /// A line per stage, and a summary line every `interval`.
    Lines {
        interval: Duration,
    },
}

/// The progress of one run (one account, or all accounts of an organization). Cheap to clone;
/// the summary thread stops and the bars are cleared when the last clone is dropped.
#[derive(Clone)]
pub struct Progress {
    shared: Option<Arc<Shared>>,
}

struct Shared {
    started: Instant,
    bars: Option<MultiProgress>,
    state: Mutex<State>,
    /// Stops the summary thread (Lines mode) when dropped.
    stop: Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

#[derive(Default)]
struct State {
    /// Accounts asked for (0 for a single account) and finished.
    accounts_total: usize,
    accounts_done: usize,
    overall: Option<ProgressBar>,
    accounts: BTreeMap<String, AccountState>,
}

#[derive(Default)]
struct AccountState {
    stage: String,
    regions_total: usize,
    regions_done: usize,
    calls_total: usize,
    calls_done: usize,
    bar: Option<ProgressBar>,
}

impl AccountState {
    fn describe(&self) -> String {
        let mut text = self.stage.clone();
        if self.regions_total > 0 {
            text += &format!(
                ", regions {}/{}, secret policies {}/{}",
                self.regions_done, self.regions_total, self.calls_done, self.calls_total
            );
        }
        text
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.shared.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Progress {
        let bars = match mode {
            ProgressMode::Off => return Progress { shared: None },
            ProgressMode::Bars => {
                Some(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
            }
            ProgressMode::Lines { .. } => None,
        };
        let shared = Arc::new(Shared {
            started: Instant::now(),
            bars,
            state: Mutex::new(State::default()),
            stop: Mutex::new(None),
        });
        if let ProgressMode::Lines { interval } = mode {
            let (sender, receiver) = mpsc::channel::<()>();
            let weak = Arc::downgrade(&shared);
            let thread = std::thread::spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = receiver.recv_timeout(interval) {
                    match weak.upgrade() {
                        Some(shared) => shared.print_summary(),
                        None => return,
                    }
                }
            });
            *lock(&shared.stop) = Some((sender, thread));
        }
        Progress {
            shared: Some(shared),
        }
    }

    /// No progress at all (`--quiet`, tests, library use).
    pub fn off() -> Progress {
        Progress::new(ProgressMode::Off)
    }

    /// Several accounts will be collected: counts them, with a bar of its own on a terminal.
    pub fn accounts(&self, total: usize) {
        let Some(shared) = &self.shared else { return };
        let mut state = lock(&shared.state);
        state.accounts_total = total;
        if let Some(bars) = &shared.bars {
            let bar = bars.add(ProgressBar::new(total as u64));
            bar.set_style(style(
                "keyward: [{elapsed}] accounts {pos}/{len} {wide_bar}",
            ));
            bar.enable_steady_tick(Duration::from_millis(250));
            state.overall = Some(bar);
        }
        drop(state);
        shared.line(&format!("collecting {total} accounts"));
    }

    /// One account's stage: "collecting IAM", "listing secrets", ...
    pub fn stage(&self, account: &str, stage: &str) {
        self.update(account, true, |a| a.stage = stage.to_owned());
    }

    /// The regions whose secrets an account's collection will list.
    pub fn regions(&self, account: &str, total: usize) {
        self.update(account, false, |a| a.regions_total = total);
    }

    pub fn region_done(&self, account: &str) {
        self.update(account, false, |a| a.regions_done += 1);
    }

    /// Per-secret calls (GetResourcePolicy) queued for an account.
    pub fn calls_queued(&self, account: &str, count: usize) {
        self.update(account, false, |a| a.calls_total += count);
    }

    pub fn call_done(&self, account: &str) {
        self.update(account, false, |a| a.calls_done += 1);
    }

    /// An account is collected: its bar goes, the count of accounts rises.
    pub fn account_done(&self, account: &str) {
        self.finish_account(account, "collected");
    }

    /// An account could not be entered (its role could not be assumed): counted all the same.
    pub fn account_failed(&self, account: &str) {
        self.finish_account(account, "could not be collected");
    }

    fn finish_account(&self, account: &str, outcome: &str) {
        let Some(shared) = &self.shared else { return };
        let mut state = lock(&shared.state);
        let finished = state.accounts.remove(account);
        state.accounts_done += 1;
        if let Some(overall) = &state.overall {
            overall.inc(1);
        }
        let progress = match state.accounts_total {
            0 => String::new(),
            total => format!(" ({}/{total} accounts)", state.accounts_done),
        };
        drop(state);
        if let Some(bar) = finished.as_ref().and_then(|a| a.bar.as_ref()) {
            bar.finish_and_clear();
        }
        let summary = finished
            .map(|a| {
                if a.regions_total > 0 {
                    format!(
                        ": secrets of {} region{}, {} secret polic{}",
                        a.regions_total,
                        if a.regions_total == 1 { "" } else { "s" },
                        a.calls_total,
                        if a.calls_total == 1 { "y" } else { "ies" },
                    )
                } else {
                    String::new()
                }
            })
            .unwrap_or_default();
        shared.line(&format!("{account} {outcome}{summary}{progress}"));
    }

    /// This progress, bound to one account (for the steps that count its calls).
    pub fn for_account(&self, account: &str) -> AccountProgress {
        AccountProgress {
            progress: self.clone(),
            account: account.to_owned(),
        }
    }

    /// Changes an account's state; a stage change is also a line of its own in Lines mode.
    fn update(&self, account: &str, announce: bool, change: impl FnOnce(&mut AccountState)) {
        let Some(shared) = &self.shared else { return };
        let mut state = lock(&shared.state);
        let entry = state.accounts.entry(account.to_owned()).or_default();
        change(entry);
        if entry.bar.is_none()
            && let Some(bars) = &shared.bars
        {
            let bar = bars.add(ProgressBar::new_spinner());
            bar.set_style(style("keyward: [{elapsed}] {spinner} {msg}"));
            bar.enable_steady_tick(Duration::from_millis(250));
            entry.bar = Some(bar);
        }
        let text = format!("{account}: {}", entry.describe());
        if let Some(bar) = &entry.bar {
            bar.set_message(crate::text::terminal_safe(&text).into_owned());
        }
        // An organization's log gets one line per account (when it is done) and the periodic
        // summaries, not three lines for each of hundreds of accounts.
        let announce = announce && state.accounts_total == 0;
        drop(state);
        if announce {
            shared.line(&text);
        }
    }
}

/// The progress of one account's collection.
#[derive(Clone)]
pub struct AccountProgress {
    progress: Progress,
    account: String,
}

impl AccountProgress {
    pub fn region_done(&self) {
        self.progress.region_done(&self.account);
    }

    pub fn calls_queued(&self, count: usize) {
        self.progress.calls_queued(&self.account, count);
    }

    pub fn call_done(&self) {
        self.progress.call_done(&self.account);
    }
}

impl Shared {
    /// A line on stderr in Lines mode (bars show the same in place).
    fn line(&self, text: &str) {
        if self.bars.is_some() {
            return;
        }
        let elapsed = self.started.elapsed().as_secs();
        let text = crate::text::terminal_safe(text);
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "keyward: [{}] {text}", clock(elapsed));
    }

    /// Every account still being collected, on one line.
    fn print_summary(&self) {
        let state = lock(&self.state);
        let mut parts: Vec<String> = state
            .accounts
            .iter()
            .map(|(id, a)| format!("{id}: {}", a.describe()))
            .collect();
        if state.accounts_total > 0 {
            parts.insert(
                0,
                format!(
                    "{}/{} accounts done",
                    state.accounts_done, state.accounts_total
                ),
            );
        }
        drop(state);
        if !parts.is_empty() {
            self.line(&format!("still collecting: {}", parts.join("; ")));
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some((sender, thread)) = lock(&self.stop).take() {
            drop(sender);
            // The thread holds only a weak reference; joining it here cannot deadlock, except
            // when this drop runs on that very thread (its upgrade was the last reference).
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
        if let Some(bars) = &self.bars {
            let _ = bars.clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("the progress templates are valid")
}

/// `1m05s`, `42s`.
fn clock(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds}s"),
        _ => format!("{}m{:02}s", seconds / 60, seconds % 60),
    }
}

/// A poisoned lock only means another thread panicked while printing progress: carry on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_describes_its_stage_and_counts() {
        let mut account = AccountState {
            stage: "listing secrets".to_owned(),
            ..AccountState::default()
        };
        assert_eq!(account.describe(), "listing secrets");
        account.regions_total = 17;
        account.regions_done = 3;
        account.calls_total = 120;
        account.calls_done = 45;
        assert_eq!(
            account.describe(),
            "listing secrets, regions 3/17, secret policies 45/120"
        );
    }

    #[test]
    fn elapsed_time_reads_as_a_clock() {
        assert_eq!(clock(42), "42s");
        assert_eq!(clock(65), "1m05s");
    }

    #[test]
    fn off_records_nothing() {
        let progress = Progress::off();
        progress.stage("123456789012", "collecting IAM");
        progress.account_done("123456789012");
        assert!(progress.shared.is_none());
    }
}
