//! The shipping guide's table (`docs/shipping.md`): every follower the
//! guide configures, with its configuration as written, on renamed and
//! restart-proof files, with and without gzip, never restarted and
//! restarted three times (SIGTERM, SIGKILL), at about 14.6 rotations/s,
//! with Python's handler as the baseline (`common::matrix::all`). Each
//! run prints its table row; each must show what its case promises
//! (`Case::check`: whole lines, nothing lost where the guide says so,
//! duplicates only where the follower's own state explains them), and
//! the test fails at the end if any did not.
//!
//! About half an hour: built only with the `measure-shippers` feature, and
//! run by `scripts/measure-shippers.sh`, which installs the followers and
//! puts the rows in the guide.

// Unix only: the followers, Unix programs.
#![cfg(unix)]

mod common;

use common::matrix;
use common::shipping::TABLE_HEAD;

#[test]
fn every_configuration_of_the_shipping_guide() {
    let only = std::env::var("CRF_MEASURE_ONLY").ok();
    println!("{TABLE_HEAD}");
    let mut failures = Vec::new();
    for case in matrix::all().into_iter().chain(matrix::departures()) {
        // CRF_MEASURE_ONLY=rsyslog runs the cases whose description holds it.
        if only
            .as_ref()
            .is_some_and(|o| !format!("{case:?}").to_lowercase().contains(o))
        {
            continue;
        }
        let outcome = case.run();
        if let Err(failure) = case.check(&outcome) {
            eprintln!("FAILED {failure}");
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
