//! Every committed fuzz corpus file (`fuzz/corpus/<target>/*`) through its target's check, on
//! stable: what the fuzzer found once stays checked by `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};

use oidc_fuzz_checks::TARGETS;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

/// The files of one target's corpus, sorted so a failure names the same file every run.
fn corpus(target: &str) -> Vec<PathBuf> {
    let folder = corpus_root().join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("a readable corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_committed_corpus() {
    for (target, _) in TARGETS {
        assert!(!corpus(target).is_empty(), "fuzz/corpus/{target} is empty");
    }
}

#[test]
fn every_corpus_folder_belongs_to_a_target() {
    for entry in fs::read_dir(corpus_root()).expect("fuzz/corpus exists") {
        let name = entry.expect("a readable entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.iter().any(|(target, _)| *target == name),
            "fuzz/corpus/{name} has no target in oidc_fuzz_checks::TARGETS"
        );
    }
}

#[test]
fn the_committed_corpora_pass_their_checks() {
    for (target, check) in TARGETS {
        for file in corpus(target) {
            let data = fs::read(&file).expect("a readable corpus file");
            // Name the file before a failing check panics, so the failure can be replayed.
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{target}: {} fails its check",
                file.display()
            );
        }
    }
}
