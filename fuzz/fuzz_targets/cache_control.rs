#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oidc_fuzz_checks::cache_control(data));
