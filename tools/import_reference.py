#!/usr/bin/env python3
"""Rebuilds the reference tables under rules/ from the project's shared reference folder.

Run by hand when the reference data changes (a future reorganisation is a data change):
    python3 tools/import_reference.py ../shared/reference
dancu itself never reads the shared folder; it reads only rules/.
"""
import csv
import sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
dst = Path(__file__).resolve().parent.parent / "rules"


def copy(name, out, columns, rename=None, keep=lambda row: True):
    rename = rename or {}
    with open(src / name, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if keep(r)]
    out_path = dst / out
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([rename.get(c, c) for c in columns])
        for r in rows:
            w.writerow([r[c] for c in columns])
    print(f"{out}: {len(rows)} rows")


copy("admin_units_pre2025.csv", "admin/units_pre2025.csv",
     ["province_code", "province_name", "province_short_name", "district_code", "district_name",
      "district_short_name", "district_type", "district_name_alt", "commune_code", "commune_name",
      "commune_short_name", "commune_type", "commune_name_alt"])
copy("admin_units_2025.csv", "admin/units_2025.csv",
     ["province_code", "province_name", "province_short_name", "commune_code", "commune_name",
      "commune_short_name", "commune_type", "commune_name_20250701", "province_name_20250701"])
copy("admin_mapping_2025.csv", "admin/mapping_2025.csv",
     ["old_province_code", "old_district_code", "old_commune_code", "old_commune_name",
      "new_province_code", "new_commune_code", "is_split", "is_default_target",
      "old_in_final_pre2025_list"])
copy("admin_province_mapping_2025.csv", "admin/province_mapping_2025.csv",
     ["old_province_code", "old_province_name", "cccd_prefix", "new_province_code", "new_province_name"])
copy("admin_legacy_aliases.csv", "admin/legacy_aliases.csv",
     ["level", "alias_key", "target_code", "target_name", "district_code", "province_code", "year"])
copy("cccd_province_codes.csv", "cccd_provinces.csv",
     ["cccd_prefix", "province_name_in_circular", "gso_province_code"])
copy("ethnic_groups.csv", "ethnic_groups.csv",
     ["code", "name", "code_qd1019_2008", "other_names_qd121_1979", "spelling_variants"])
copy("phone_mobile_prefixes.csv", "phone_mobile_prefixes.csv", ["prefix", "carrier"])
copy("phone_prefix_11_to_10.csv", "phone_prefix_11_to_10.csv",
     ["old_prefix_11_digit", "new_prefix_10_digit", "carrier"])
copy("encoding_tcvn3_to_unicode.csv", "encoding/tcvn3.csv", ["byte_hex", "unicode_char"])
copy("encoding_vni_to_unicode.csv", "encoding/vni.csv", ["legacy_bytes_hex", "unicode_char"])
copy("tone_placement_variants.csv", "tone_placement_variants.csv",
     ["tone_on_second_vowel", "tone_on_first_vowel", "tone"])
copy("names_component_counts.csv", "names/component_counts.csv",
     ["component", "token", "count_male", "count_female", "count_uit_sample"])
copy("names_middle_full_counts.csv", "names/middle_full_counts.csv",
     ["middle_name", "count_male", "count_female"])
copy("names_given_by_gender.csv", "names/given_by_gender.csv", ["given_name", "gender"])
copy("names_surname_share_estimates.csv", "names/surname_share_estimates.csv",
     ["surname", "estimated_share_percent"])
