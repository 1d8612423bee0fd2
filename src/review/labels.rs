//! The words of the review page, one table per language (`words.vi.json`,
//! Vietnamese, the default; `words.en.json`), and the page with them put in.

use serde_json::Value;

use crate::finding::Language;

/// The page, embedded in the binary: nothing is fetched from anywhere.
const PAGE: &str = include_str!("page.html");

/// The page in `language`, with the reviewer's name filled in.
pub fn page(language: Language, reviewer: &str) -> String {
    let words = words(language);
    let lang = match language {
        Language::Vi => "vi",
        Language::En => "en",
    };
    // `</` cannot end the script early: JSON keeps it as `<\/`.
    let embed = |value: &Value| value.to_string().replace("</", "<\\/");
    PAGE.replace("{{lang}}", lang)
        .replace("{{title}}", words["title"].as_str().unwrap_or("dancu"))
        .replace("/*WORDS*/null", &embed(&words))
        .replace("/*REVIEWER*/null", &embed(&Value::from(reviewer)))
}

/// The words of the page in `language`, from the table of that language.
fn words(language: Language) -> Value {
    let table = match language {
        Language::Vi => include_str!("words.vi.json"),
        Language::En => include_str!("words.en.json"),
    };
    // The tables are part of the binary; a test reads both.
    serde_json::from_str(table).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_words_and_the_page_gets_them() {
        let keys = |language| {
            let mut keys: Vec<String> = words(language).as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(Language::Vi), keys(Language::En));
        for language in [Language::Vi, Language::En] {
            let table = words(language);
            for comparison in &crate::link::compare::COMPARISONS {
                assert!(table["fields"].get(comparison.name).is_some(), "{}", comparison.name);
                for level in comparison.levels.iter().chain(&["null"]) {
                    assert!(table["levels"].get(*level).is_some(), "level {level} has words");
                }
            }
        }
        let page = page(Language::Vi, "Cán bộ </script>");
        assert!(page.contains("Cùng một người") && page.contains("lang=\"vi\""));
        assert!(!page.contains("/*WORDS*/") && !page.contains("{{"));
        assert!(page.contains("Cán bộ <\\/script>"), "a name cannot close the script");
        assert!(!page.contains("http://") && !page.contains("https://"), "nothing is fetched");
    }
}
