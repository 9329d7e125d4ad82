use clap::Parser;

use keyward::cli::Cli;
use keyward::commands::exit;
use keyward::policy::memory::BudgetedAllocator;

/// mimalloc, counting what each evaluation of a user's policy allocates against its budget
/// (`--policy-memory`).
#[global_allocator]
static ALLOCATOR: BudgetedAllocator<mimalloc::MiMalloc> = BudgetedAllocator(mimalloc::MiMalloc);

fn main() {
    let cli = Cli::parse();
    let code = match keyward::commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            keyward::commands::print_error(&error);
            exit::ERROR
        }
    };
    std::process::exit(code);
}
