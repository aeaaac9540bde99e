//! The macro's specification: every error it reports, with the exact messages
//! (`ui/fail/*.stderr`). What it accepts is shown by the `examples` crate, whose binaries are
//! annotated functions that its unit tests call directly (a trybuild `pass` case would run the
//! generated `main`, which needs input files). Regenerate after an intended change with
//! `TRYBUILD=overwrite cargo test -p asdf-macros --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
