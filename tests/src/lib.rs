//! Helpers shared by the cross-crate tests: paths of the built binaries, sample files, and
//! running commands (optionally under `mpiexec`) with their output captured.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Directory of the workspace's built binaries (the profile the tests were built with).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>
    exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf()
}

/// Path of one workspace binary; panics with a hint when it was not built.
pub fn bin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(p.exists(), "{} not built; run `cargo build --bins` first (scripts/test.sh does)", p.display());
    p
}

/// Writes a small sample data set.
pub fn sample(path: &Path, stations: usize, seconds: f64) {
    let opts = asdf::testing::SampleOptions { stations, seconds, ..Default::default() };
    asdf::testing::write_sample(path, &opts).expect("write sample");
}

/// The command `program args`, under `mpiexec -n ranks` when `ranks > 0` (which gives up after
/// two minutes rather than hang).
pub fn command(ranks: usize, program: &Path, args: &[&str]) -> Command {
    let mut cmd = if ranks > 0 {
        let mut c = Command::new("mpiexec");
        c.arg("-n").arg(ranks.to_string()).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).env("MPIEXEC_TIMEOUT", "120");
    cmd
}

/// Runs `program args`, under `mpiexec -n ranks` when `ranks > 0`.
pub fn run(ranks: usize, program: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = command(ranks, program, args);
    cmd.envs(envs.iter().copied());
    cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// `h5diff` exit status 0: same objects, attributes and data.
pub fn h5diff_equal(a: &Path, b: &Path) -> bool {
    Command::new("h5diff").arg(a).arg(b).status().map(|s| s.success()).unwrap_or(false)
}

/// The project's Python (virtualenv with pyasdf and ObsPy), from `ASDF_TEST_PYTHON`.
pub fn python() -> PathBuf {
    match std::env::var_os("ASDF_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
            assert!(venv.exists(), "no Python with pyasdf: run scripts/test.sh (it creates .venv), or set ASDF_TEST_PYTHON");
            venv
        }
    }
}

/// Text of an output's stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `code` with `sys.argv[1]` = `path` in the project's Python, with `sys`, `h5py` and
/// `numpy as np` imported: how the tests make broken files the way real ones break.
pub fn h5py(path: &Path, code: &str) {
    let o = Command::new(python()).arg("-c").arg(format!("import sys, h5py, numpy as np\n{code}")).arg(path).output().expect("run python");
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Whether a process ended by itself (an exit code), not by a signal such as SIGSEGV or SIGABRT;
/// under `mpiexec`, also that hydra reported no rank killed by a signal.
pub fn ended_cleanly(o: &Output) -> bool {
    let text = stderr(o);
    o.status.code().is_some_and(|c| c < 128) && !text.contains("BAD TERMINATION") && !text.contains("panicked") && !text.contains("Caught signal")
}
