use clap::Parser;

use keyward::cli::Cli;
use keyward::commands::exit;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
