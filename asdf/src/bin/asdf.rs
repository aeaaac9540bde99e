//! The `asdf` command-line tool; see `asdf --help`.
fn main() -> std::process::ExitCode {
    asdf::cli::tool::main()
}
