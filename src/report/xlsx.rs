//! `report.xlsx`: the report as a workbook an analyst filters and sorts in
//! Excel. A summary sheet, one sheet per level of units, findings by code
//! and the legend of codes; numbers stored as numbers, shares as
//! percentages, the header row frozen, an autofilter on every table, column
//! widths that fit Vietnamese headers, and a colour scale on the shares.

use std::path::Path;

use rust_xlsxwriter::{
    Color, ConditionalFormat3ColorScale, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet,
    XlsxError,
};

use super::csv::codes_present;
use super::labels::{dimension_key, dimension_name, field_name, labels, Labels};
use super::model::{QualityReport, UnitFigures};
use crate::error::Error;
use crate::finding::{Code, Dimension, Language, Severities};

struct Formats {
    header: Format,
    percent: Format,
    decimal: Format,
    integer: Format,
    change: Format,
    title: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xE8ECF1))
            .set_text_wrap()
            .set_align(FormatAlign::Top),
        percent: Format::new().set_num_format("0.0%"),
        decimal: Format::new().set_num_format("0.00"),
        integer: Format::new().set_num_format("#,##0"),
        change: Format::new().set_num_format("+0.00;-0.00;0.00"),
        title: Format::new().set_bold().set_font_size(14),
    }
}

/// Column width, in characters, for a header and the values under it.
fn width_for(header: &str) -> f64 {
    (header.chars().count() as f64 * 0.9 + 2.0).clamp(8.0, 28.0)
}

fn header_row(sheet: &mut Worksheet, headers: &[String], formats: &Formats) -> Result<(), XlsxError> {
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, header, &formats.header)?;
        sheet.set_column_width(c as u16, width_for(header))?;
    }
    sheet.set_row_height(0, 45)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn shares_scale() -> ConditionalFormat3ColorScale {
    ConditionalFormat3ColorScale::new()
        .set_minimum_color(Color::RGB(0xFFFFFF))
        .set_midpoint_color(Color::RGB(0xF8D39A))
        .set_maximum_color(Color::RGB(0xE06666))
}

fn write_units(
    workbook: &mut Workbook,
    sheet_name: &str,
    level: &str,
    units: &[UnitFigures],
    report: &QualityReport,
    language: Language,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let words = labels(language);
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let with_province = level != "provinces";
    let with_district = level == "communes" && report.districts.is_some();
    let with_previous = report.previous.is_some();
    let codes = codes_present(report);
    let fields: Vec<String> = super::build::COMPLETENESS_FIELDS.iter().map(|f| f.name().to_string()).collect();
    let mut headers: Vec<String> = vec![words.rank.to_string()];
    if with_province {
        headers.extend([words.province_code, words.province].map(String::from));
    }
    if with_district {
        headers.extend([words.district_code, words.district].map(String::from));
    }
    let (code_label, name_label) = match level {
        "provinces" => (words.province_code, words.province),
        "districts" => (words.district_code, words.district),
        _ => (words.commune_code, words.commune),
    };
    headers.extend(
        [code_label, name_label, words.records, words.persons, words.duplicates, words.score].map(String::from),
    );
    if with_previous {
        headers.push(format!("{}: {}", words.score, words.previous));
        headers.push(format!("{}: {}", words.score, words.change));
    }
    let share_start = headers.len();
    for d in Dimension::ALL {
        headers.push(format!("{}: {}", dimension_name(d, language), words.share));
    }
    let share_end = headers.len();
    for d in Dimension::ALL {
        headers.push(format!("{}: {}", dimension_name(d, language), words.with_findings));
    }
    headers.extend([words.exact, words.fuzzy, words.ambiguous, words.unresolved, words.old_units].map(String::from));
    headers.extend(codes.iter().map(|c| c.as_str().to_string()));
    headers.extend(fields.iter().map(|f| format!("{}: {}", words.completeness, field_name(f, language))));
    header_row(sheet, &headers, formats)?;
    for (i, unit) in units.iter().enumerate() {
        let row = i as u32 + 1;
        let mut c = 0u16;
        let number = |sheet: &mut Worksheet, c: &mut u16, value: f64, format: &Format| -> Result<(), XlsxError> {
            sheet.write_number_with_format(row, *c, value, format)?;
            *c += 1;
            Ok(())
        };
        let text = |sheet: &mut Worksheet, c: &mut u16, value: &str| -> Result<(), XlsxError> {
            sheet.write_string(row, *c, value)?;
            *c += 1;
            Ok(())
        };
        number(sheet, &mut c, unit.rank as f64, &formats.integer)?;
        if with_province {
            text(sheet, &mut c, &unit.province_code)?;
            text(sheet, &mut c, &unit.province_name)?;
        }
        if with_district {
            text(sheet, &mut c, &unit.district_code)?;
            text(sheet, &mut c, &unit.district_name)?;
        }
        text(sheet, &mut c, &unit.code)?;
        text(sheet, &mut c, &unit.name)?;
        for n in [unit.records, unit.persons, unit.duplicates] {
            number(sheet, &mut c, n as f64, &formats.integer)?;
        }
        number(sheet, &mut c, unit.score, &formats.decimal)?;
        if with_previous {
            match &unit.previous {
                Some(previous) => {
                    number(sheet, &mut c, previous.score, &formats.decimal)?;
                    number(sheet, &mut c, unit.score - previous.score, &formats.change)?;
                }
                None => c += 2,
            }
        }
        for d in Dimension::ALL {
            let share = unit.dimensions.get(dimension_key(d)).map_or(0.0, |f| f.share);
            number(sheet, &mut c, share, &formats.percent)?;
        }
        for d in Dimension::ALL {
            let n = unit.dimensions.get(dimension_key(d)).map_or(0, |f| f.records);
            number(sheet, &mut c, n as f64, &formats.integer)?;
        }
        let a = &unit.address;
        for n in [a.exact, a.fuzzy, a.ambiguous, a.unresolved, a.old_units] {
            number(sheet, &mut c, n as f64, &formats.integer)?;
        }
        for code in &codes {
            number(sheet, &mut c, unit.codes.get(code.as_str()).copied().unwrap_or(0) as f64, &formats.integer)?;
        }
        for field in &fields {
            number(sheet, &mut c, unit.fields.get(field).copied().unwrap_or(0.0), &formats.percent)?;
        }
    }
    let last_row = units.len().max(1) as u32;
    sheet.autofilter(0, 0, last_row, headers.len() as u16 - 1)?;
    sheet.add_conditional_format(1, share_start as u16, last_row, share_end as u16 - 1, &shares_scale())?;
    Ok(())
}

fn write_summary(
    workbook: &mut Workbook,
    report: &QualityReport,
    words: &Labels,
    language: Language,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(words.sheet_summary)?;
    sheet.write_string_with_format(0, 0, words.title, &formats.title)?;
    sheet.write_string(1, 0, format!("{}: {}", words.generated, report.generated_at))?;
    sheet.write_string(2, 0, format!("{}: {}", words.reference_date, report.reference_date))?;
    sheet.write_string(3, 0, words.private_note)?;
    let with_previous = report.previous.is_some();
    let headers: Vec<String> = if with_previous {
        vec![String::new(), words.count.to_string(), words.previous.to_string(), words.change.to_string()]
    } else {
        vec![String::new(), words.count.to_string()]
    };
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(5, c as u16, header, &formats.header)?;
    }
    let totals = &report.totals.figures;
    let previous = totals.previous.as_ref();
    let mut rows: Vec<(String, f64, Option<f64>, &Format)> = vec![
        (words.records.to_string(), totals.records as f64, previous.map(|p| p.records as f64), &formats.integer),
        (words.persons.to_string(), totals.persons as f64, previous.map(|p| p.persons as f64), &formats.integer),
        (
            words.duplicates.to_string(),
            totals.duplicates as f64,
            previous.map(|p| p.duplicates as f64),
            &formats.integer,
        ),
        (words.quarantined.to_string(), report.totals.quarantined as f64, None, &formats.integer),
        (words.score.to_string(), totals.score, previous.map(|p| p.score), &formats.decimal),
    ];
    for d in Dimension::ALL {
        let key = dimension_key(d);
        let share = totals.dimensions.get(key).map_or(0.0, |f| f.share);
        let before = previous.and_then(|p| p.dimensions.get(key)).map(|f| f.share);
        rows.push((format!("{}: {}", dimension_name(d, language), words.share), share, before, &formats.percent));
    }
    for (i, (label, value, before, format)) in rows.into_iter().enumerate() {
        let row = 6 + i as u32;
        sheet.write_string(row, 0, label)?;
        sheet.write_number_with_format(row, 1, value, format)?;
        if with_previous {
            if let Some(before) = before {
                sheet.write_number_with_format(row, 2, before, format)?;
                sheet.write_number_with_format(row, 3, value - before, format)?;
            }
        }
    }
    let next = 6 + 10 + 1;
    sheet.write_string(next, 0, &report.score_formula)?;
    sheet.write_string_with_format(next + 2, 0, words.quarantined_by_input, &formats.header)?;
    for (i, (input, n)) in report.totals.quarantined_by_input.iter().enumerate() {
        sheet.write_string(next + 3 + i as u32, 0, input)?;
        sheet.write_number_with_format(next + 3 + i as u32, 1, *n as f64, &formats.integer)?;
    }
    sheet.set_column_width(0, 48)?;
    for c in 1..4 {
        sheet.set_column_width(c, 16)?;
    }
    Ok(())
}

fn write_codes(
    workbook: &mut Workbook,
    report: &QualityReport,
    words: &Labels,
    language: Language,
    severities: &Severities,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (name, only_present) in [(words.sheet_codes, true), (words.sheet_legend, false)] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let headers: Vec<String> =
            [words.code, words.severity, words.dimension, words.meaning, words.count].map(String::from).to_vec();
        header_row(sheet, &headers, formats)?;
        sheet.set_column_width(0, 28)?;
        sheet.set_column_width(3, 80)?;
        let codes: Vec<Code> = if only_present { codes_present(report) } else { Code::ALL.to_vec() };
        for (i, code) in codes.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, code.as_str())?;
            sheet.write_string(row, 1, severities.of(*code).label())?;
            sheet.write_string(row, 2, code.dimension().label(language))?;
            sheet.write_string(row, 3, code.describe(language))?;
            let n = report.totals.figures.codes.get(code.as_str()).copied().unwrap_or(0);
            sheet.write_number_with_format(row, 4, n as f64, &formats.integer)?;
        }
        sheet.autofilter(0, 0, codes.len().max(1) as u32, 4)?;
    }
    Ok(())
}

pub fn write(path: &Path, report: &QualityReport, language: Language, severities: &Severities) -> Result<(), Error> {
    let xlsx_error =
        |e: XlsxError| Error::WriteOutput { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) };
    let words = labels(language);
    let formats = formats();
    let mut workbook = Workbook::new();
    // The workbook's own timestamp is the report's, so that the same run
    // gives the same bytes.
    let created = ExcelDateTime::parse_from_str(report.generated_at.trim_end_matches('Z')).map_err(xlsx_error)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_title(words.title));
    write_summary(&mut workbook, report, words, language, &formats).map_err(xlsx_error)?;
    write_units(&mut workbook, words.sheet_provinces, "provinces", &report.provinces, report, language, &formats)
        .map_err(xlsx_error)?;
    if let Some(districts) = &report.districts {
        write_units(&mut workbook, words.sheet_districts, "districts", districts, report, language, &formats)
            .map_err(xlsx_error)?;
    }
    write_units(&mut workbook, words.sheet_communes, "communes", &report.communes, report, language, &formats)
        .map_err(xlsx_error)?;
    write_codes(&mut workbook, report, words, language, severities, &formats).map_err(xlsx_error)?;
    // Level 3 of 9: half the time of the default for a sixth more bytes.
    workbook.set_zip_compression_level(3);
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    crate::output::atomic::write_bytes(path, &bytes)
}
