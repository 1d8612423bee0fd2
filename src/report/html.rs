//! `report.html`: the report as one self-contained page that opens from a
//! USB stick on an office PC without a network: inline CSS, the chart as
//! inline SVG, and a small inline script for the table of every commune
//! (filter by province, search, sort, pages of 100), whose data sits in
//! the page as JSON. Everything but that table is plain HTML, so the page
//! prints and reads without the script.

use std::fmt::Write;

use super::build::COMPLETENESS_FIELDS;
use super::csv::codes_present;
use super::labels::{dimension_key, dimension_name, field_name, labels, Labels};
use super::model::{QualityReport, UnitFigures};
use crate::finding::{Code, Dimension, Language, Severities};

/// Units a table of the worst shows.
const WORST_SHOWN: usize = 20;
/// Units listed by name as appeared or disappeared before the rest are
/// counted.
const CHANGES_SHOWN: usize = 30;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count with thin spaces between thousands: `1 234 567`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// `▲ 1.2` / `▼ 0.4` / `= 0`: a change where higher is `better_when`.
fn delta(change: f64, higher_is_better: bool, places: usize) -> String {
    let class = if change.abs() < 1e-9 {
        "same"
    } else if (change > 0.0) == higher_is_better {
        "better"
    } else {
        "worse"
    };
    let arrow = if change > 0.0 {
        "▲"
    } else if change < 0.0 {
        "▼"
    } else {
        "="
    };
    format!("<span class=\"delta {class}\">{arrow} {:.*}</span>", places, change.abs())
}

const STYLE: &str = r#"
:root { --ink: #1d2733; --muted: #5b6775; --line: #d9dee5; --dung: #c0392b; --du: #d68910; --sach: #2471a3; --song: #7d3c98; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--ink); margin: 0; padding: 24px 32px; max-width: 1280px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.sub, .note { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 22px; font-weight: 600; }
.card.dung { border-top: 4px solid var(--dung); } .card.du { border-top: 4px solid var(--du); }
.card.sach { border-top: 4px solid var(--sach); } .card.song { border-top: 4px solid var(--song); }
table { border-collapse: collapse; width: 100%; margin-top: 6px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th.sort { cursor: pointer; } th.sort:after { content: " ⇅"; color: var(--muted); }
.delta { font-size: 12px; white-space: nowrap; } .better { color: #1e8449; } .worse { color: #c0392b; } .same { color: var(--muted); }
.bar { display: inline-block; height: 10px; background: var(--sach); vertical-align: middle; }
.controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.controls select, .controls input { font: inherit; padding: 3px 6px; }
.pager button { font: inherit; margin: 0 2px; }
svg text { font: 11px "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
@media print { body { padding: 0; max-width: none; } .controls, .pager, #all-communes { display: none; } h2 { break-after: avoid; } table { break-inside: auto; } }
"#;

const SCRIPT: &str = r#"
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); document.body.dataset.errors = errors.join(' | '); });
  try {
    var data = JSON.parse(document.getElementById('commune-data').textContent);
    var words = data.words, rows = data.rows, columns = data.columns;
    var select = document.getElementById('province-filter'), search = document.getElementById('commune-search');
    var body = document.getElementById('commune-rows'), pager = document.getElementById('commune-pager');
    var state = { sort: 0, descending: false, page: 0, province: '', text: '' };
    var pageSize = 100;
    var provinces = {};
    rows.forEach(function (r) { provinces[r[1]] = r[2]; });
    Object.keys(provinces).sort().forEach(function (code) {
      var option = document.createElement('option');
      option.value = code; option.textContent = (code ? code + ' ' : '') + provinces[code];
      select.appendChild(option);
    });
    function fold(text) { return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase(); }
    function visible() {
      var text = fold(state.text);
      return rows.filter(function (r) {
        return (!state.province || r[1] === state.province) && (!text || fold(r[3] + ' ' + r[4]).indexOf(text) >= 0);
      });
    }
    function render() {
      var list = visible();
      var k = state.sort, sign = state.descending ? -1 : 1;
      // Rank 0 is the records no commune could be found for: last.
      function key(r) { return k === 0 && r[0] === 0 ? Infinity : r[k]; }
      list.sort(function (a, b) { var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * sign || key(a) - key(b) || 0; });
      var pages = Math.max(1, Math.ceil(list.length / pageSize));
      state.page = Math.min(state.page, pages - 1);
      var html = [];
      list.slice(state.page * pageSize, (state.page + 1) * pageSize).forEach(function (r) {
        html.push('<tr>' + columns.map(function (c, i) {
          if (c.kind === 'key') return '';
          var v = r[i];
          var shown = c.kind === 'share' ? (v * 100).toFixed(1) + '%' : c.kind === 'score' ? v.toFixed(2) : i === 0 && v === 0 ? '—' : String(v);
          var text = shown.replace(/[&<>"]/g, function (ch) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]; });
          return '<td' + (c.kind === 'text' ? '' : ' class="n"') + '>' + text + '</td>';
        }).join('') + '</tr>');
      });
      body.innerHTML = html.join('');
      pager.innerHTML = '';
      var info = document.createElement('span');
      info.textContent = words.page + ' ' + (state.page + 1) + ' / ' + pages + ' (' + list.length + ')';
      [['«', 0], ['‹', state.page - 1], ['›', state.page + 1], ['»', pages - 1]].forEach(function (b) {
        var button = document.createElement('button');
        button.textContent = b[0];
        button.disabled = b[1] < 0 || b[1] >= pages || b[1] === state.page;
        button.onclick = function () { state.page = b[1]; render(); };
        pager.appendChild(button);
      });
      pager.appendChild(info);
    }
    document.querySelectorAll('#all-communes th.sort').forEach(function (th, i) {
      th.onclick = function () {
        state.descending = state.sort === i ? !state.descending : false;
        state.sort = i; state.page = 0; render();
      };
    });
    select.onchange = function () { state.province = select.value; state.page = 0; render(); };
    search.oninput = function () { state.text = search.value; state.page = 0; render(); };
    render();
    document.body.dataset.communesShown = String(body.rows.length);
  } catch (e) {
    errors.push(String(e && e.message || e));
    document.body.dataset.errors = errors.join(' | ');
  }
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = '1';
})();
"#;

pub fn render(report: &QualityReport, language: Language, severities: &Severities) -> String {
    let words = labels(language);
    let mut page = String::with_capacity(1 << 20);
    let lang = match language {
        Language::Vi => "vi",
        Language::En => "en",
    };
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(words.title)
    );
    let _ = write!(
        page,
        "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n<p class=\"note\">{}: {} · {}: {} · {}</p>\n",
        escape(words.title),
        escape(words.subtitle),
        escape(words.generated),
        escape(&report.generated_at),
        escape(words.reference_date),
        escape(&report.reference_date),
        escape(words.private_note)
    );
    headline(&mut page, report, language, words);
    chart(&mut page, report, language, words);
    worst(&mut page, report, language, words);
    codes_table(&mut page, report, language, words, severities);
    completeness(&mut page, report, language, words);
    address(&mut page, report, words);
    changes(&mut page, report, words);
    all_communes(&mut page, report, language, words);
    let _ = write!(page, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    page
}

fn headline(page: &mut String, report: &QualityReport, language: Language, words: &Labels) {
    let totals = &report.totals.figures;
    let previous = totals.previous.as_ref();
    let _ = write!(page, "<h2>{}</h2>\n<div class=\"cards\" id=\"headline\">\n", escape(words.summary));
    let mut card = |class: &str, label: &str, value: String, change: Option<String>| {
        let _ = writeln!(
            page,
            "<div class=\"card {class}\"><div class=\"label\">{}</div><div class=\"value\">{value}</div>{}</div>",
            escape(label),
            change.unwrap_or_default()
        );
    };
    let diff = |now: u64, before: u64, higher_is_better: bool| delta(now as f64 - before as f64, higher_is_better, 0);
    card("", words.records, count(totals.records), previous.map(|p| diff(totals.records, p.records, true)));
    card("", words.persons, count(totals.persons), previous.map(|p| diff(totals.persons, p.persons, true)));
    card(
        "",
        words.duplicates,
        count(totals.duplicates),
        previous.map(|p| diff(totals.duplicates, p.duplicates, false)),
    );
    card("", words.quarantined, count(report.totals.quarantined), None);
    card("", words.score, format!("{:.2}", totals.score), previous.map(|p| delta(totals.score - p.score, true, 2)));
    for d in Dimension::ALL {
        let key = dimension_key(d);
        let figures = totals.dimensions.get(key).cloned().unwrap_or_default();
        let change = previous
            .and_then(|p| p.dimensions.get(key))
            .map(|before| delta((figures.share - before.share) * 100.0, false, 1));
        card(
            key,
            &format!("{}: {}", dimension_name(d, language), words.with_findings),
            format!("{} <small>({})</small>", count(figures.records), percent(figures.share)),
            change,
        );
    }
    page.push_str("</div>\n");
    let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(&report.score_formula));
}

/// The four dimensions' shares for each province, as horizontal bars.
fn chart(page: &mut String, report: &QualityReport, language: Language, words: &Labels) {
    let _ = writeln!(page, "<h2>{}</h2>", escape(words.by_province));
    let mut provinces: Vec<&UnitFigures> = report.provinces.iter().collect();
    provinces.sort_by(|a, b| a.code.cmp(&b.code));
    let colors = ["var(--dung)", "var(--du)", "var(--sach)", "var(--song)"];
    let (label_width, bar_width, row_height) = (190.0, 760.0, 34.0);
    let height = 30.0 + row_height * provinces.len() as f64;
    let most = provinces.iter().flat_map(|p| p.dimensions.values().map(|d| d.share)).fold(0.0f64, f64::max).max(0.01);
    let _ = write!(page, "<p class=\"legend\">");
    for (d, color) in Dimension::ALL.iter().zip(colors) {
        let _ =
            write!(page, "<span><i style=\"background:{color}\"></i>{}</span>", escape(dimension_name(*d, language)));
    }
    page.push_str("</p>\n");
    let _ = writeln!(
        page,
        "<svg id=\"dimension-chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(words.by_province),
        label_width + bar_width + 60.0
    );
    for (row, province) in provinces.iter().enumerate() {
        let y = 20.0 + row_height * row as f64;
        let name = if province.code.is_empty() {
            province.name.clone()
        } else {
            format!("{} {}", province.code, province.name)
        };
        let _ = writeln!(page, "<text x=\"0\" y=\"{:.1}\">{}</text>", y + 14.0, escape(&name));
        for (i, (d, color)) in Dimension::ALL.iter().zip(colors).enumerate() {
            let share = province.dimensions.get(dimension_key(*d)).map_or(0.0, |f| f.share);
            let width = bar_width * share / most;
            let bar_y = y + 2.0 + 7.0 * i as f64;
            let _ = writeln!(
                page,
                "<rect x=\"{label_width}\" y=\"{bar_y:.1}\" width=\"{width:.1}\" height=\"6\" fill=\"{color}\"><title>{}: {}</title></rect>",
                escape(dimension_name(*d, language)),
                percent(share)
            );
        }
    }
    page.push_str("</svg>\n");
}

fn unit_rows(page: &mut String, units: &[&UnitFigures], with_previous: bool) {
    for unit in units {
        let _ = write!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td>",
            unit.rank,
            escape(&unit.province_name),
            escape(&unit.code),
            escape(&unit.name),
            count(unit.records),
            count(unit.duplicates),
            unit.score
        );
        if with_previous {
            let change = unit.previous.as_ref().map(|p| delta(unit.score - p.score, true, 2)).unwrap_or_default();
            let _ = write!(page, "<td class=\"n\">{change}</td>");
        }
        for d in Dimension::ALL {
            let share = unit.dimensions.get(dimension_key(d)).map_or(0.0, |f| f.share);
            let _ = write!(page, "<td class=\"n\">{}</td>", percent(share));
        }
        page.push_str("</tr>\n");
    }
}

fn unit_header(page: &mut String, language: Language, words: &Labels, with_previous: bool, sortable: bool) {
    let class = |numeric: bool| match (numeric, sortable) {
        (true, true) => " class=\"n sort\"",
        (true, false) => " class=\"n\"",
        (false, true) => " class=\"sort\"",
        (false, false) => "",
    };
    let _ = write!(
        page,
        "<tr><th{}>{}</th><th{}>{}</th><th{}>{}</th><th{}>{}</th><th{}>{}</th><th{}>{}</th><th{}>{}</th>",
        class(true),
        escape(words.rank),
        class(false),
        escape(words.province),
        class(false),
        escape(words.commune_code),
        class(false),
        escape(words.commune),
        class(true),
        escape(words.records),
        class(true),
        escape(words.duplicates),
        class(true),
        escape(words.score)
    );
    if with_previous {
        let _ = write!(page, "<th class=\"n\">{}</th>", escape(words.change));
    }
    for d in Dimension::ALL {
        let _ = write!(page, "<th{}>{}</th>", class(true), escape(dimension_name(d, language)));
    }
    page.push_str("</tr>\n");
}

fn worst(page: &mut String, report: &QualityReport, language: Language, words: &Labels) {
    let with_previous = report.previous.is_some();
    let _ = writeln!(page, "<h2>{}</h2>\n<table id=\"worst-communes\"><thead>", escape(words.worst_communes));
    unit_header(page, language, words, with_previous, false);
    page.push_str("</thead><tbody>\n");
    let worst: Vec<&UnitFigures> = report.communes.iter().filter(|u| u.rank > 0).take(WORST_SHOWN).collect();
    unit_rows(page, &worst, with_previous);
    page.push_str("</tbody></table>\n");
}

fn codes_table(page: &mut String, report: &QualityReport, language: Language, words: &Labels, severities: &Severities) {
    let _ = writeln!(
        page,
        "<h2>{}</h2>\n<table id=\"codes\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(words.codes),
        escape(words.code),
        escape(words.meaning),
        escape(words.severity),
        escape(words.dimension),
        escape(words.count)
    );
    let mut present: Vec<Code> = codes_present(report);
    let counts = &report.totals.figures.codes;
    present.sort_by(|a, b| counts[b.as_str()].cmp(&counts[a.as_str()]).then(a.cmp(b)));
    for code in present {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            code.as_str(),
            escape(code.describe(language)),
            severities.of(code).label(),
            escape(code.dimension().label(language)),
            count(counts[code.as_str()])
        );
    }
    page.push_str("</tbody></table>\n");
}

fn completeness(page: &mut String, report: &QualityReport, language: Language, words: &Labels) {
    let _ = writeln!(
        page,
        "<h2>{}</h2>\n<table id=\"fields\"><thead><tr><th>{}</th><th class=\"n\">{}</th><th></th></tr></thead><tbody>",
        escape(words.fields),
        escape(words.field),
        escape(words.completeness)
    );
    let fields = &report.totals.figures.fields;
    for (field, share) in COMPLETENESS_FIELDS.iter().filter_map(|f| fields.get(f.name()).map(|s| (f.name(), s))) {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td><span class=\"bar\" style=\"width:{:.0}px\"></span></td></tr>",
            escape(field_name(field, language)),
            percent(*share),
            share * 300.0
        );
    }
    page.push_str("</tbody></table>\n");
}

fn address(page: &mut String, report: &QualityReport, words: &Labels) {
    let a = &report.totals.figures.address;
    let records = report.totals.figures.records.max(1) as f64;
    let _ = writeln!(page, "<h2>{}</h2>\n<table id=\"address\"><tbody>", escape(words.address_status));
    for (label, n) in [
        (words.exact, a.exact),
        (words.fuzzy, a.fuzzy),
        (words.ambiguous, a.ambiguous),
        (words.unresolved, a.unresolved),
        (words.old_units, a.old_units),
    ] {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(label),
            count(n),
            percent(n as f64 / records)
        );
    }
    page.push_str("</tbody></table>\n");
}

fn changes(page: &mut String, report: &QualityReport, words: &Labels) {
    let _ = writeln!(page, "<h2>{}</h2>", escape(words.previous_run));
    let Some(previous) = &report.previous else {
        let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(words.no_previous));
        return;
    };
    let _ = writeln!(
        page,
        "<p class=\"note\">{}: {} · {}</p>",
        escape(words.previous),
        escape(&previous.generated_at),
        escape(&previous.source)
    );
    for (label, list) in
        [(words.appeared, &previous.communes.appeared), (words.disappeared, &previous.communes.disappeared)]
    {
        let shown: Vec<String> = list.iter().take(CHANGES_SHOWN).map(|u| escape(u)).collect();
        let more = list.len().saturating_sub(CHANGES_SHOWN);
        let tail = if more > 0 { format!(" … (+{more})") } else { String::new() };
        let _ = writeln!(page, "<p><b>{} ({}):</b> {}{tail}</p>", escape(label), list.len(), shown.join(", "));
    }
}

/// The table of every commune: its rows are drawn by the script from the
/// JSON below it, a page at a time, so that ten thousand communes stay
/// quick to filter and sort.
fn all_communes(page: &mut String, report: &QualityReport, language: Language, words: &Labels) {
    let _ = writeln!(
        page,
        "<h2>{}</h2>\n<div class=\"controls\"><label>{} <select id=\"province-filter\"><option value=\"\">{}</option></select></label><label>{} <input id=\"commune-search\" type=\"search\"></label></div>\n<table id=\"all-communes\"><thead>",
        escape(words.all_communes),
        escape(words.filter_province),
        escape(words.all_provinces),
        escape(words.search)
    );
    unit_header(page, language, words, false, true);
    page.push_str(
        "</thead><tbody id=\"commune-rows\"></tbody></table>\n<div class=\"pager\" id=\"commune-pager\"></div>\n",
    );
    // The province code is kept for the filter, not shown.
    let mut kinds = vec!["number", "key", "text", "text", "text", "number", "number", "score"];
    kinds.extend(["share"; 4]);
    let columns: Vec<serde_json::Value> = kinds.iter().map(|k| serde_json::json!({ "kind": k })).collect();
    // Row: rank, province code, province name, code, name, records,
    // duplicates, score, the four shares.
    let rows: Vec<serde_json::Value> = report
        .communes
        .iter()
        .map(|u| {
            let mut row = vec![
                serde_json::json!(u.rank),
                serde_json::json!(u.province_code),
                serde_json::json!(u.province_name),
                serde_json::json!(u.code),
                serde_json::json!(u.name),
                serde_json::json!(u.records),
                serde_json::json!(u.duplicates),
                serde_json::json!(u.score),
            ];
            row.extend(
                Dimension::ALL
                    .iter()
                    .map(|d| serde_json::json!(u.dimensions.get(dimension_key(*d)).map_or(0.0, |f| f.share))),
            );
            serde_json::Value::Array(row)
        })
        .collect();
    let data = serde_json::json!({ "words": { "page": words.page }, "columns": columns, "rows": rows });
    // `</script>` inside the data would end the script element.
    let json = data.to_string().replace("</", "<\\/").replace("<!--", "<\\!--");
    let _ = writeln!(page, "<script type=\"application/json\" id=\"commune-data\">{json}</script>");
}
