//! Fuzz the oracle-case runner (`blastgraph eval-cases`): arbitrary JSON must give a
//! decision, an `error` decision or a format error, never a panic.
#![no_main]

use blastgraph_engine::policy::cases::run_cases;
use blastgraph_engine::policy::Mode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = run_cases(&v, Mode::Strict);
    let _ = run_cases(&v, Mode::Discovery);
});
