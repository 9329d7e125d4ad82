//! A memory budget for each evaluation of a user's policy.
//!
//! regorus evaluates a rule on one thread, and nothing in it bounds what a rule allocates:
//! `numbers.range(1, 1e9)` asked for 24 GB at once and the process aborted, a rule emitting
//! 10^8 findings grew without end. The keyward binary installs [`BudgetedAllocator`] as its
//! global allocator: on a thread that runs [`with_budget`], every allocation is counted before
//! it is made, and one that would take the thread past its budget is never made. The handler
//! installed with [`on_exceeded`] is called instead (the command layer's reports the rule and
//! ends the process with exit code 2), so neither an abort nor an out-of-memory kill happens.
//!
//! Threads without a budget (everything but a user policy's evaluation) pay one thread-local
//! read per allocation. A thread's count is its own allocations minus its own frees: what a
//! rule builds on its worker, not what other threads do meanwhile.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

use super::error::PolicyError;

/// The global allocator of the keyward binary: `A`, with per-thread budgets.
pub struct BudgetedAllocator<A>(pub A);

/// What is done when a budget is exceeded: report the error and end the process.
pub type ExceededHandler = fn(PolicyError) -> !;

static HANDLER: OnceLock<ExceededHandler> = OnceLock::new();

thread_local! {
    /// Bytes this thread allocated since its budget started, less what it freed.
    static USED: Cell<i64> = const { Cell::new(0) };
    /// This thread's budget in bytes; `i64::MAX` when it has none.
    static LIMIT: Cell<i64> = const { Cell::new(i64::MAX) };
    /// Which evaluation the budget belongs to, for the error.
    static TASK: RefCell<Option<BudgetTask>> = const { RefCell::new(None) };
}

/// What a budget covers: the rule (or Rego test) and its file, for the error.
#[derive(Debug, Clone)]
pub struct BudgetTask {
    pub rule: String,
    pub origin: String,
    pub limit_bytes: u64,
}

/// Sets what happens when a budget is exceeded. Budgets apply only once a handler is set.
pub fn on_exceeded(handler: ExceededHandler) {
    let _ = HANDLER.set(handler);
}

/// Runs `f` on this thread with a budget of `task.limit_bytes`, when a handler is set.
pub fn with_budget<R>(task: BudgetTask, f: impl FnOnce() -> R) -> R {
    if HANDLER.get().is_none() {
        return f();
    }
    let limit = i64::try_from(task.limit_bytes).unwrap_or(i64::MAX);
    TASK.set(Some(task));
    USED.set(0);
    LIMIT.set(limit);
    let result = f();
    LIMIT.set(i64::MAX);
    TASK.set(None);
    result
}

/// Counts `size` more bytes for this thread; past its budget, hands over to the handler.
fn charge(size: usize) {
    let _ = LIMIT.try_with(|limit| {
        if limit.get() == i64::MAX {
            return;
        }
        let used = USED
            .get()
            .saturating_add(i64::try_from(size).unwrap_or(i64::MAX));
        USED.set(used);
        if used > limit.get() {
            // No budget from here on: the handler allocates to report.
            limit.set(i64::MAX);
            exceeded();
        }
    });
}

fn release(size: usize) {
    let _ = LIMIT.try_with(|limit| {
        if limit.get() != i64::MAX {
            USED.set(USED.get().saturating_sub(i64::try_from(size).unwrap_or(0)));
        }
    });
}

#[cold]
fn exceeded() {
    let (Some(handler), Some(task)) = (HANDLER.get(), TASK.with_borrow(Clone::clone)) else {
        return;
    };
    handler(PolicyError::Limit {
        rule: task.rule,
        origin: task.origin,
        message: format!(
            "it needed more than {} MiB of memory",
            task.limit_bytes / (1024 * 1024)
        ),
        hint: "a rule that builds this much is runaway; if it is not, raise --policy-memory",
    })
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for BudgetedAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        release(layout.size());
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            charge(new_size - layout.size());
        } else {
            release(layout.size() - new_size);
        }
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}
