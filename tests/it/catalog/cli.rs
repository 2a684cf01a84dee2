//! `palisade catalog check` and `palisade catalog export`, run as the built binary, without a database.

use std::path::Path;
use std::process::Command;

use super::palisade;

#[test]
fn catalog_check_reports_every_framework_complete_and_fully_covered() {
    let (ok, stdout, stderr) = palisade(&["catalog", "check"]);
    assert!(ok, "catalog check failed:\n{stdout}\n{stderr}");
    for line in [
        "hipaa                     68/73         5        7    100.0%  complete and fully covered",
        "pci-dss-4               280/366        86        0    100.0%  complete and fully covered",
    ] {
        assert!(stdout.contains(line), "expected {line:?} in:\n{stdout}");
    }
    assert_eq!(stdout.matches("%  complete and fully covered").count(), 8, "{stdout}");
    assert!(stdout.contains("All 8 frameworks complete and fully covered."));
}

/// A copy of the data directory, to break on purpose.
fn copy_data(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/compliance/catalog/data");
    for sub in ["frameworks", "ccf", "ccf/mappings", "crosswalks"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for entry in std::fs::read_dir(from.join(sub)).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "toml") {
                std::fs::copy(entry.path(), to.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
}

#[test]
fn catalog_check_fails_with_exit_status_1_on_a_mapping_to_a_missing_requirement() {
    let dir = tempfile::tempdir().unwrap();
    copy_data(dir.path());
    let dir_arg = dir.path().to_str().unwrap();
    let (ok, stdout, _) = palisade(&["catalog", "check", "--dir", dir_arg]);
    assert!(ok, "an unchanged copy checks clean:\n{stdout}");

    let file = dir.path().join("ccf/mappings/soc2.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("requirement = \"CC6.1\"", "requirement = \"CC6.99\"", 1)).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_palisade")).args(["catalog", "check", "--dir", dir_arg]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("-> CC6.99: no such requirement"), "{stdout}");
    assert!(stdout.contains("soc2") && stdout.contains("problem(s)"), "{stdout}");
}

#[test]
fn catalog_export_prints_the_whole_catalog_as_json() {
    let (ok, stdout, stderr) = palisade(&["catalog", "export"]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(json["frameworks"].as_array().unwrap().len(), 8);
    assert_eq!(json["controls"].as_array().unwrap().len(), 200);
    assert_eq!(json["mappings"].as_array().unwrap().len(), 2562);
    let kinds = |kind: &str| json["mappings"].as_array().unwrap().iter().filter(|m| m["kind"] == kind).count();
    assert_eq!((kinds("primary"), kinds("related")), (1649, 913));
    assert_eq!(json["crosswalks"].as_array().unwrap().len(), 4);
    assert!(!json["mapping_sources"].as_array().unwrap().is_empty());
    let nist = json["frameworks"].as_array().unwrap().iter().find(|f| f["id"] == "nist-csf-2").unwrap();
    let pr_aa_01 = nist["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "PR.AA-01").unwrap();
    assert_eq!(pr_aa_01["aliases"], serde_json::json!(["PR.AC-1"]));
    assert_eq!(pr_aa_01["attributes"]["function"], "Protect");
    let control = json["controls"].as_array().unwrap().iter().find(|c| c["id"] == "CCF-AC-01").unwrap();
    assert!(!control["evidence"].as_array().unwrap().is_empty());
    let mapping = json["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["control"] == "CCF-AC-01" && m["requirement"] == "CC6.1")
        .unwrap();
    assert_eq!(mapping["framework"], "soc2");
    assert_eq!(mapping["relationship"], "subset");
}
