#!/usr/bin/env python3
"""Writes fixtures/cases/validation.toml: field and cross-record validation
cases with the findings and suggestions each should produce, derived from
the rules of the domain (ID structure, calendar, phone plan, vocabularies)
and the tables in rules/, never from dancu. Run from the project root; the
output is deterministic. The reference date of every case is 2026-01-01.
"""

import csv

cases = []

# A record with nothing wrong: every case starts from it.
BASE = {
    "full_name": "Lê Văn An",
    "birth_date": "07/03/1985",
    "sex": "Nam",
    "citizen_id": "038085000123",
    "ethnicity": "Kinh",
    "religion": "Không",
    "nationality": "Việt Nam",
    "phone": "0912345678",
    "commune_name": "Phường Ba Đình",
    "province_name": "Thành phố Hà Nội",
}


def record(**changes):
    r = dict(BASE)
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


def expect(code, field, suggestion=None, record=0):
    e = {"record": record, "code": code, "field": field}
    if suggestion is not None:
        e["suggestion"] = suggestion
    return e


def case(id, note, records, expected):
    cases.append({"id": id, "note": note, "records": records, "expect": expected})


def single(id, note, expected=(), **changes):
    case(id, note, [record(**changes)], list(expected))


single("base", "a sound record has no finding")

# --- Citizen ID: the 63 province prefixes, and prefixes no province has.
provinces = [r["cccd_prefix"] for r in csv.DictReader(open("rules/cccd_provinces.csv"))]
for p in provinces:
    single(f"id-province-{p}", "a known province prefix", citizen_id=f"{p}085000123")
for p in ["000", "003", "005", "007", "009", "013", "016", "018", "021", "039", "050", "099"]:
    if p not in provinces:
        single(f"id-province-unknown-{p}", "no province has this prefix", [expect("ID_PROVINCE_UNKNOWN", "citizen_id")], citizen_id=f"{p}085000123")

# --- Digit 4: century and sex (0/1 1900s, 2/3 2000s, 4/5 2100s, 6/7 2200s,
# 8/9 2300s; even male, odd female), digits 5-6 the year.
for year, birth in [(1985, "07/03/1985"), (2005, "07/03/2005")]:
    for sex in ["Nam", "Nữ"]:
        for digit in range(10):
            century = 1900 + (digit // 2) * 100
            id_sex = "Nam" if digit % 2 == 0 else "Nữ"
            expected = []
            if id_sex != sex:
                expected.append(expect("ID_SEX_MISMATCH", "citizen_id"))
            if century != year // 100 * 100:
                expected.append(expect("ID_CENTURY_MISMATCH", "citizen_id"))
            single(
                f"id-digit4-{year}-{'m' if sex == 'Nam' else 'f'}-{digit}",
                f"digit 4 = {digit} for a {sex} born {year}",
                expected,
                birth_date=birth,
                sex=sex,
                citizen_id=f"038{digit}{year % 100:02d}000123",
            )
for written, note in [("038084000123", "year digits one off"), ("038058000123", "year digits swapped"), ("038000000123", "year digits 00")]:
    single(f"id-year-{written[4:6]}", note, [expect("ID_YEAR_MISMATCH", "citizen_id")], citizen_id=written)
single("id-year-partial", "a year-only birth date is checked against digits 5-6", [expect("ID_YEAR_MISMATCH", "citizen_id")], birth_date="1986")
single("id-year-partial-ok", "a year-only birth date that agrees", birth_date="1985")

# --- Letters typed for digits, separators, lengths, the lost leading zero.
for written, fixed in [
    ("O38085000123", "038085000123"),
    ("038O85OOO123", "038085000123"),
    ("o38085000123", "038085000123"),
    ("038085l00I23", "038085100123"),
    ("038085000I23", "038085000123"),
    ("03808500012I", "038085000121"),
]:
    single(f"id-letters-{written}", "letters typed for digits; the fixed number agrees with the record", [expect("ID_NOT_DIGITS", "citizen_id", fixed)], citizen_id=written)
single("id-letters-inconsistent", "letters for digits, but the fixed number disagrees with the sex", [expect("ID_NOT_DIGITS", "citizen_id", "")], citizen_id="O38185OOO123")
single("id-letters-other", "letters no digit looks like", [expect("ID_NOT_DIGITS", "citizen_id", "")], citizen_id="038085ABC123")
for written in ["038 085 000 123", "038.085.000.123", "038-085-000-123", "0380 8500 0123"]:
    single(f"id-separators-{written}", "separators are removed, with an info finding", [expect("ID_SEPARATORS_REMOVED", "citizen_id", "038085000123")], citizen_id=written)
single("id-apostrophe", "a spreadsheet's leading apostrophe is not a separator", citizen_id="'038085000123")
single("id-leading-zero", "11 digits that a leading 0 makes consistent", [expect("ID_LEADING_ZERO_LOST", "citizen_id", "038085000123")], citizen_id="38085000123")
single("id-leading-zero-hn", "Hà Nội's 001 prefix loses two zeros: not recoverable", [expect("ID_LENGTH", "citizen_id")], citizen_id="1085000123")
single("id-eleven-inconsistent", "11 digits where a leading 0 does not help", [expect("ID_LENGTH", "citizen_id")], citizen_id="38185000123")
for n in [9, 10, 13, 14]:
    single(f"id-length-{n}", f"{n} digits", [expect("ID_LENGTH", "citizen_id")], citizen_id=("038085000123456")[:n] if n > 12 else "038085000123"[:n])
single("id-missing", "a required field left empty", [expect("FIELD_MISSING", "citizen_id")], citizen_id="")

# --- Old ID (CMND): 9 digits, or 12 digits with the citizen ID's structure.
single("old-id-9", "a 9-digit CMND", old_id="172345678")
single("old-id-9-spaced", "a 9-digit CMND with spaces", [expect("ID_SEPARATORS_REMOVED", "old_id", "172345678")], old_id="172 345 678")
single("old-id-12-same", "a 12-digit CMND equal to the citizen ID", old_id="038085000123")
single("old-id-12-differs", "a 12-digit CMND that is not the citizen ID", [expect("OLD_ID_DIFFERS", "old_id", "038085000123")], old_id="038085000999")
single("old-id-12-broken", "a 12-digit CMND whose digit 4 disagrees with the sex", [expect("OLD_ID_INVALID", "old_id")], old_id="038185000123")
for written in ["17234567", "1723456789", "17234567890", "17234A678"]:
    single(f"old-id-invalid-{written}", "not 9 or 12 digits", [expect("OLD_ID_INVALID", "old_id")], old_id=written)
single("old-id-only", "only the old ID: the citizen ID is missing", [expect("FIELD_MISSING", "citizen_id")], citizen_id="", old_id="172345678")

# --- Dates.
for written, note in [
    ("07/03/1985", "dd/mm/yyyy"),
    ("7/3/1985", "d/m/yyyy"),
    ("1985-03-07", "ISO"),
    ("19850307", "yyyymmdd"),
    ("07-03-1985", "dashes"),
    ("07.03.1985", "dots"),
    ("7/3/85", "two-digit year"),
    ("07/03/1985 00:00:00", "a spreadsheet's time"),
    ("ngày 7 tháng 3 năm 1985", "written in words"),
]:
    single(f"date-format-{written}", note, birth_date=written)
for written, note in [("03/1985", "month and year"), ("1985", "year only"), ("00/00/1985", "zeros for unknown"), ("xx/xx/1985", "x for unknown"), ("00/03/1985", "unknown day")]:
    single(f"date-partial-{written}", f"partial date valid at its precision: {note}", birth_date=written)
for written, note in [("31/02/1985", "31 February"), ("30/02/1984", "30 February in a leap year"), ("29/02/1985", "29 February, 1985 not leap"), ("29/02/1900", "1900 is not leap"), ("31/04/1985", "31 April"), ("32/01/1985", "day 32"), ("00/13/1985", "month 13")]:
    single(f"date-impossible-{written}", note, [expect("DATE_IMPOSSIBLE", "birth_date", "")], birth_date=written)
single("date-leap-2000", "29/02/2000 exists (2000 is leap)", [expect("ID_CENTURY_MISMATCH", "citizen_id")], birth_date="29/02/2000")
single("date-leap-1984", "29/02/1984 exists", [expect("ID_YEAR_MISMATCH", "citizen_id")], birth_date="29/02/1984")
for written, swapped in [("03/25/1985", "1985-03-25"), ("12/31/1985", "1985-12-31"), ("1985-25-03", "1985-03-25")]:
    single(f"date-swap-{written}", "month over 12: only the month-first reading is a date, and it is taken (issue 13)", [expect("DATE_ORDER_UNUSUAL", "birth_date", swapped)], birth_date=written)
for written in ["abc", "07/03", "07/03/1985/1", "1985/3/7/2", "hôm qua"]:
    single(f"date-unparseable-{written}", "not a date", [expect("DATE_UNPARSEABLE", "birth_date")], birth_date=written)
single("date-future", "born after the reference date (the ID agrees with the date)", [expect("DATE_FUTURE", "birth_date")], birth_date="07/03/2026", citizen_id="038226000123")
single("date-future-month", "a month after the reference month", [expect("DATE_FUTURE", "birth_date")], birth_date="02/2026", citizen_id="038226000123")
single("date-this-year", "a year-only date in the reference year is not in the future", birth_date="2026", citizen_id="038226000123")
single("date-age-121", "older than the age limit", [expect("AGE_OVER_LIMIT", "birth_date")], birth_date="07/03/1904", citizen_id="038004000123")
single("date-age-120", "at the age limit", birth_date="1906", citizen_id="038006000123")
single("date-missing", "a required field left empty", [expect("FIELD_MISSING", "birth_date")], birth_date="")

# --- Sex.
for written in ["Nam", "NAM", "nam", "M", "Male", "1", "Trai"]:
    single(f"sex-male-{written}", "a way to write male", sex=written)
for written in ["Nữ", "NỮ", "Nu", "F", "Female", "0", "Gái"]:
    single(f"sex-female-{written}", "a way to write female", citizen_id="038185000123", sex=written)
for written in ["X", "Khác", "Unknown", "2"]:
    single(f"sex-unknown-{written}", "not a sex dancu knows", [expect("SEX_UNKNOWN", "sex")], sex=written)
single("sex-missing", "a required field left empty", [expect("FIELD_MISSING", "sex")], sex="")

# --- Phone.
mobile = [r[0] for r in csv.reader(open("rules/phone_mobile_prefixes.csv"))][1:]
for p in mobile[:: max(1, len(mobile) // 12)]:
    single(f"phone-mobile-{p}", "a current mobile prefix", phone=f"{p}1234567"[:10])
conversions = list(csv.DictReader(open("rules/phone_prefix_11_to_10.csv")))
for c in conversions[:: max(1, len(conversions) // 8)]:
    old = c["old_prefix_11_digit"] + "1234567"
    new = c["new_prefix_10_digit"] + "1234567"
    single(f"phone-old-{c['old_prefix_11_digit']}", "an 11-digit mobile from before 2018, converted", [expect("PHONE_OLD_PREFIX", "phone", new)], phone=old)
for written in ["+84 912 345 678", "84912345678", "+84912345678", "0084912345678", "(+84) 912-345-678", "84 0912345678"]:
    single(f"phone-international-{written}", "country code written", phone=written)
single("phone-zero-lost", "a 9-digit mobile that lost its 0", [expect("PHONE_LEADING_ZERO_LOST", "phone", "0912345678")], phone="912345678")
for written in ["02438234567", "0243 823 4567", "028 3822 1234", "+84 24 3823 4567"]:
    single(f"phone-landline-{written}", "an 11-digit landline with its area code", phone=written)
for written, note in [("12345", "too short"), ("091234567", "9 digits starting 0"), ("09123456789", "11 digits on a mobile prefix"), ("0999999999", "all one digit"), ("0000000000", "all zeros"), ("0112345678", "no such prefix"), ("abc", "no digits")]:
    single(f"phone-invalid-{written}", note, [expect("PHONE_INVALID", "phone")], phone=written)

# --- Ethnicity: names, variants, codes of the configured list (QĐ 121).
groups = list(csv.DictReader(open("rules/ethnic_groups.csv")))
for g in groups:
    single(f"ethnicity-{g['code']}", f"{g['name']} by name", ethnicity=g["name"])
for written in ["H'Mông", "Hmông", "Mèo", "Khơ-me", "Khơme", "Ê-đê", "Êđê", "Muong", "MƯỜNG", "kinh", "Việt"]:
    single(f"ethnicity-variant-{written}", "a spelling variant or former name", ethnicity=written)
for written in ["Mỹ", "Xyz", "Người Kinh Thượng"]:
    single(f"ethnicity-unknown-{written}", "not one of the 54 groups", [expect("ETHNICITY_UNKNOWN", "ethnicity")], ethnicity=written)

# --- Religion, nationality, relation to the head.
for written in ["Phật giáo", "phat giao", "CÔNG GIÁO", "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo", "phật giáo hoà hảo", "Hồi giáo", "không"]:
    single(f"religion-{written}", "a recognised religion", religion=written)
for written in ["Đạo Dừa", "Thờ cúng", "Atheist"]:
    single(f"religion-unknown-{written}", "not a recognised religion", [expect("RELIGION_UNKNOWN", "religion")], religion=written)
for written in ["Việt Nam", "VN", "Vietnam", "viet nam", "Vietnamese", "Lào", "Trung Quốc", "Hàn Quốc", "Không quốc tịch"]:
    single(f"nationality-{written}", "a listed nationality", nationality=written)
for written in ["Atlantis", "Kinh"]:
    single(f"nationality-unknown-{written}", "not a listed nationality", [expect("NATIONALITY_UNKNOWN", "nationality")], nationality=written)
for written in ["Chủ hộ", "CHỦ HỘ", "chu ho", "Vợ", "Chồng", "Con", "Con đẻ", "Cha", "Mẹ", "Ông nội", "Bà ngoại", "Cháu", "Anh ruột", "Ở nhờ"]:
    single(f"relation-{written}", "a known relation to the head", relation_to_head=written)
for written in ["Bạn", "Hàng xóm", "Boss"]:
    single(f"relation-unknown-{written}", "not a known relation", [expect("RELATION_UNKNOWN", "relation_to_head")], relation_to_head=written)

# --- Names.
single("name-missing", "no name: the record cannot describe a person", [expect("NAME_MISSING", "full_name")], full_name="")
single("name-digits", "digits in a name are removed", [expect("NAME_CHARACTERS_REMOVED", "full_name")], full_name="Lê Văn An 2")
single("name-honorific", "a title before the name is removed", [expect("NAME_HONORIFIC_REMOVED", "full_name")], full_name="Ông Lê Văn An")

# --- Households: one head, plausible ages, one commune.
def member(name, relation, birth, sex, cid, household="H1", **more):
    return record(full_name=name, relation_to_head=relation, birth_date=birth, sex=sex, citizen_id=cid, household_id=household, **more)


head = member("Lê Văn An", "Chủ hộ", "07/03/1985", "Nam", "038085000123")
wife = member("Trần Thị Bình", "Vợ", "12/05/1987", "Nữ", "038187000124")
child = member("Lê Minh Khang", "Con", "05/06/2015", "Nam", "038215000125")
case("household-sound", "head, wife and child: nothing to say", [head, wife, child], [])
case("household-no-head", "nobody is the head", [member("Lê Văn An", "Chồng", "07/03/1985", "Nam", "038085000123"), wife, child],
     [expect("HOUSEHOLD_HEADS", "relation_to_head", record=i) for i in range(3)])
second_head = member("Phạm Văn Cường", "Chủ hộ", "01/01/1960", "Nam", "038060000126")
case("household-two-heads", "two different people are heads", [head, wife, second_head],
     [expect("HOUSEHOLD_HEADS", "relation_to_head", record=0), expect("HOUSEHOLD_HEADS", "relation_to_head", record=2)])
case("household-head-twice", "the head registered twice is one head (and a duplicate)", [head, dict(head), wife],
     [expect("DUPLICATE", "full_name", record=1)])
old_child = member("Lê Minh Khang", "Con", "05/06/1980", "Nam", "038080000125")
case("household-child-older", "a child older than the head", [head, old_child], [expect("HOUSEHOLD_AGE", "birth_date", record=1)])
young_child = member("Lê Minh Khang", "Con", "05/06/1995", "Nam", "038095000125")
case("household-child-too-close", "a child 10 years younger than the head", [head, young_child], [expect("HOUSEHOLD_AGE", "birth_date", record=1)])
father = member("Lê Văn Ba", "Cha", "01/01/1990", "Nam", "038090000127")
case("household-parent-younger", "the head's father born after the head", [head, father], [expect("HOUSEHOLD_AGE", "birth_date", record=1)])
father_ok = member("Lê Văn Ba", "Cha", "01/01/1955", "Nam", "038055000127")
case("household-parent-ok", "the head's father 30 years older", [head, father_ok], [])
grandmother = member("Nguyễn Thị Tư", "Bà nội", "01/01/1970", "Nữ", "038170000128")
case("household-grandparent-young", "a grandmother 15 years older than the head", [head, grandmother], [expect("HOUSEHOLD_AGE", "birth_date", record=1)])
old_wife = member("Trần Thị Bình", "Vợ", "12/05/1950", "Nữ", "038150000124")
case("household-spouse-gap", "spouses 35 years apart", [head, old_wife], [expect("HOUSEHOLD_AGE", "birth_date", record=1)])
moved = member("Trần Thị Bình", "Vợ", "12/05/1987", "Nữ", "038187000124", commune_name="Phường Ngọc Hà")
case("household-two-communes", "members in two communes", [head, moved],
     [expect("HOUSEHOLD_COMMUNES", "commune_code", record=0), expect("HOUSEHOLD_COMMUNES", "commune_code", record=1)])

# --- The same ID on different people, and on copies of one person.
other = record(full_name="Phạm Thị Hoa", birth_date="22/12/1990", sex="Nữ", citizen_id="038085000123")
case("id-shared", "one ID on two different people", [record(), other],
     [expect("ID_SHARED", "citizen_id", record=0), expect("ID_SHARED", "citizen_id", record=1),
      expect("ID_SEX_MISMATCH", "citizen_id", record=1), expect("ID_YEAR_MISMATCH", "citizen_id", record=1)])
case("id-same-person", "one ID on two copies of one person: a duplicate, not a shared ID",
     [record(), record(full_name="Le Van An")], [expect("DUPLICATE", "full_name", record=1)])
swapped = record(birth_date="03/07/1985")
case("date-swap-across-copies", "a copy with day and month swapped gets the primary's date",
     [record(phone="0912345678", religion="Không"), dict(swapped, religion="")],
     [expect("DUPLICATE", "full_name", record=1), expect("DATE_DAY_MONTH_SWAPPED", "birth_date", "1985-03-07", record=1)])


def value(v):
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def inline(d):
    return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in d.items()) + " }"


with open("fixtures/cases/validation.toml", "w") as out:
    out.write("# Validation cases, written by tools/make_validation_cases.py from the rules\n")
    out.write("# of the domain and the tables in rules/ (never from dancu). Each case is\n")
    out.write("# one or more records cleaned together (reference date 2026-01-01); the\n")
    out.write("# expected findings are the whole set (code, field, record), and a\n")
    out.write("# suggestion is checked where one is given. Loaded by tests/validation.rs.\n")
    for c in cases:
        out.write("\n[[case]]\n")
        out.write(f"id = {value(c['id'])}\nnote = {value(c['note'])}\n")
        out.write("records = [\n" + "".join(f"  {inline(r)},\n" for r in c["records"]) + "]\n")
        out.write("expect = [\n" + "".join(f"  {inline(e)},\n" for e in c["expect"]) + "]\n")
print(len(cases), "cases")
