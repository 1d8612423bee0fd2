//! Sex in the vocabularies extracts use, to the register's `Nam`/`Nữ`.

use crate::record::Sex;
use crate::text::fold_compact;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SexParse {
    Empty,
    Known(Sex),
    Unknown,
}

/// `1` is male and `0` female, as in the register's exports; `2` means female
/// in some systems and unknown in others, so it is not guessed.
pub fn parse_sex(raw: &str) -> SexParse {
    let key = fold_compact(raw);
    match key.as_str() {
        "" => SexParse::Empty,
        "nam" | "m" | "male" | "1" | "trai" | "namgioi" | "gioitinhnam" => SexParse::Known(Sex::Male),
        "nu" | "f" | "female" | "0" | "gai" | "nugioi" | "gioitinhnu" => SexParse::Known(Sex::Female),
        _ => SexParse::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_vocabularies_of_real_exports() {
        for raw in ["Nam", "NAM", "M", "Male", "1", " nam "] {
            assert_eq!(parse_sex(raw), SexParse::Known(Sex::Male), "{raw}");
        }
        for raw in ["Nữ", "NỮ", "Nu", "F", "female", "0"] {
            assert_eq!(parse_sex(raw), SexParse::Known(Sex::Female), "{raw}");
        }
        assert_eq!(parse_sex("?"), SexParse::Empty);
        assert_eq!(parse_sex("X"), SexParse::Unknown);
    }
}
