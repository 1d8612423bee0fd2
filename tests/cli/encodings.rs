//! Extracts typed on the systems before Unicode: a whole file in TCVN3 or
//! VNI bytes, and an office's rows typed in TCVN3 inside a Unicode file
//! (every field, the header too), read back to Vietnamese.

use std::path::Path;

use super::support::*;

const HEADER: &str = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Quan hệ với chủ hộ,Địa chỉ thường trú,Ghi chú";
const ROWS: [&str; 3] = [
    "Nguyễn Thị Hường,12/05/1970,Nữ,Mường,Phật giáo,Vợ,\"Xóm Mới, Xã Trung Hạ, Huyện Quan Sơn, Tỉnh Thanh Hóa\",đã chuyển đến",
    "Lò Văn Thắng,03/09/1968,Nam,Thái,Không,Chủ hộ,\"Bản Bó, Xã Trung Hạ, Huyện Quan Sơn, Tỉnh Thanh Hóa\",",
    "Trần Văn Đức,1990,Nam,Kinh,Công giáo,Con,\"Số 5 phố Huế, Phường Hai Bà Trưng, Hà Nội\",người mới",
];

fn legacy() -> dancu::legacy::LegacyEncodings {
    dancu::rules::Rules::load(&dancu::rules::RuleSource::BuiltIn, None).unwrap().legacy_encodings
}

fn column(out: &Path, name: &str) -> Vec<String> {
    let (header, rows) = read_csv(&out.join("records.csv"));
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    rows.into_iter().map(|r| r[i].clone()).collect()
}

fn assert_read_back(out: &Path) {
    assert_eq!(column(out, "sex"), ["Nữ", "Nam", "Nam"]);
    assert_eq!(column(out, "ethnicity"), ["Mường", "Thái", "Kinh"]);
    assert_eq!(column(out, "religion"), ["Phật giáo", "Không", "Công giáo"]);
    assert_eq!(column(out, "relation_to_head"), ["Vợ", "Chủ hộ", "Con"]);
    assert_eq!(column(out, "full_name"), ["Nguyễn Thị Hường", "Lò Văn Thắng", "Trần Văn Đức"]);
    assert_eq!(column(out, "old_commune_name")[..2], ["Xã Trung Hạ", "Xã Trung Hạ"]);
    let issues = std::fs::read_to_string(out.join("issues.csv")).unwrap();
    for code in ["SEX_UNKNOWN", "ETHNICITY_UNKNOWN", "RELIGION_UNKNOWN", "RELATION_UNKNOWN", "ADDRESS_UNRESOLVED"] {
        assert!(!issues.contains(code), "{code} in\n{issues}");
    }
}

#[test]
fn a_file_of_tcvn3_or_vni_bytes_is_read_as_vietnamese_header_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = legacy();
    let text = format!("{HEADER}\n{}\n", ROWS.join("\n"));
    for (name, label, typed) in
        [("tcvn3.csv", "tcvn3 (bytes)", legacy.to_tcvn3(&text)), ("vni.csv", "vni (bytes)", legacy.to_vni(&text))]
    {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&typed);
        assert!(!unmappable);
        let input = dir.path().join(name);
        std::fs::write(&input, &bytes).unwrap();
        let run = clean(dir.path(), &format!("{name}-out"), &[input], &[]);
        assert_eq!(run.status, 0, "{name}: {}", run.stderr);
        assert_eq!(stable_manifest(&run.out)["inputs"][0]["encoding"], label);
        assert_read_back(&run.out);
    }
}

#[test]
fn an_office_typing_tcvn3_inside_a_unicode_file_is_repaired_in_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = legacy();
    // The header and the first two rows as a TCVN3 document saved as
    // Unicode shows them; the third row typed in Unicode.
    let text = format!(
        "{}\n{}\n{}\n{}\n",
        legacy.to_tcvn3(HEADER),
        legacy.to_tcvn3(ROWS[0]),
        legacy.to_tcvn3(ROWS[1]),
        ROWS[2]
    );
    let input = dir.path().join("office.csv");
    std::fs::write(&input, &text).unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_read_back(&run.out);
    let manifest = stable_manifest(&run.out);
    let repairs = &manifest["inputs"][0]["repairs"];
    assert_eq!(repairs["Giới tính"]["tcvn3"], 1, "{repairs}");
    assert_eq!(repairs["Dân tộc"]["tcvn3"], 2, "{repairs}");
    assert_eq!(repairs["Ghi chú"]["tcvn3"], 1, "{repairs}");
    // A carried column keeps its originals beside the repairs.
    assert_eq!(column(&run.out, "Ghi chú"), ["đã chuyển đến", "", "người mới"]);
    assert_eq!(column(&run.out, "Ghi chú_raw")[0], legacy.to_tcvn3("đã chuyển đến"));
    assert_eq!(column(&run.out, "sex_raw")[0], legacy.to_tcvn3("Nữ"));
    let issues = std::fs::read_to_string(run.out.join("issues.csv")).unwrap();
    assert!(issues.contains(",sex,TEXT_REPAIRED,info,"), "{issues}");
    // Cleaning the cleaned file changes nothing.
    let again = clean(dir.path(), "again", &[run.out.join("records.csv")], &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    for file in ["records.csv", "records/part-000001.parquet", "records/current.parquet", "issues.csv"] {
        assert!(
            std::fs::read(run.out.join(file)).unwrap() == std::fs::read(again.out.join(file)).unwrap(),
            "{file} changed when the cleaned file was cleaned again"
        );
    }
}
