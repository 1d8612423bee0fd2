//! Phone numbers to the ten-digit national form: `+84`/`84` become `0`, the
//! 11-digit mobile prefixes retired in 2018 become their 10-digit ones.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneParse {
    /// The national form when one could be derived, else the digits typed.
    pub number: String,
    pub valid: bool,
    /// True when an old 11-digit mobile prefix was converted.
    pub converted: bool,
}

pub struct PhoneRules {
    mobile_prefixes: Vec<String>,
    conversions: Vec<(String, String)>,
}

impl PhoneRules {
    pub fn new(mobile_prefixes: &[String], conversions: &[(String, String)]) -> PhoneRules {
        PhoneRules { mobile_prefixes: mobile_prefixes.to_vec(), conversions: conversions.to_vec() }
    }

    /// `None` for an empty field.
    pub fn parse(&self, raw: &str) -> Option<PhoneParse> {
        let trimmed = raw.trim().trim_start_matches('\'');
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() && trimmed.is_empty() {
            return None;
        }
        let mut number = digits.clone();
        if let Some(rest) = number.strip_prefix("0084") {
            number = format!("0{rest}");
        } else if number.starts_with("84") && (international || number.len() == 11 || number.len() == 12) {
            number = format!("0{}", &number[2..]);
        }
        let mut converted = false;
        if number.len() == 11 {
            if let Some((old, new)) = self.conversions.iter().find(|(old, _)| number.starts_with(old.as_str())) {
                number = format!("{new}{}", &number[old.len()..]);
                converted = true;
            }
        }
        let mobile = number.len() == 10 && self.mobile_prefixes.iter().any(|p| number.starts_with(p.as_str()));
        // Landlines have carried an 11-digit number starting 02 since 2017.
        let landline = number.len() == 11 && number.starts_with("02");
        let all_same = number.chars().skip(1).all(|c| Some(c) == number.chars().nth(1));
        Some(PhoneParse { valid: (mobile || landline) && !all_same, number, converted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PhoneRules {
        PhoneRules::new(
            &["090".to_string(), "091".to_string(), "032".to_string()],
            &[("0162".to_string(), "032".to_string())],
        )
    }

    #[test]
    fn national_international_and_old_forms() {
        let r = rules();
        assert_eq!(r.parse("0901 234 567").unwrap().number, "0901234567");
        assert_eq!(r.parse("+84 901234567").unwrap().number, "0901234567");
        assert_eq!(r.parse("84901234567").unwrap().number, "0901234567");
        let old = r.parse("01621234567").unwrap();
        assert_eq!((old.number.as_str(), old.valid, old.converted), ("0321234567", true, true));
        assert!(!r.parse("12345").unwrap().valid);
        assert!(!r.parse("0999999999").unwrap().valid);
        assert!(r.parse("02437654321").unwrap().valid);
        assert_eq!(r.parse(""), None);
    }
}
