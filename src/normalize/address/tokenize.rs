//! Free text cut into folded words, each with its place in the text, which
//! is the only place text is sliced.

use unicode_normalization::UnicodeNormalization;

/// A word of a free-text address: folded, with its place in the text.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) word: String,
    pub(super) start: usize,
    pub(super) end: usize,
    /// A comma, semicolon, dash or bracket comes before this word.
    pub(super) boundary_before: bool,
}

/// Splits text into folded words. `P.15`, `F1`, `Q3` and `Phường13` become
/// a type word and a number, where `glued` holds the type word.
///
/// Every offset of a token refers to `text` itself, at a character
/// boundary: folding changes lengths (`ườ` is six bytes, `uo` two), so each
/// byte of a folded word remembers where its character starts in `text`.
pub(super) fn tokenize(text: &str, glued: &[String]) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut word = String::new();
    // For each byte of `word`, the offset in `text` of the character it
    // was folded from.
    let mut origin: Vec<usize> = Vec::new();
    let mut boundary = true;
    let mut pending_boundary = true;
    let finish = |word: &mut String, origin: &mut Vec<usize>, end: usize, boundary: bool, tokens: &mut Vec<Token>| {
        if word.is_empty() {
            return;
        }
        let start = origin[0];
        let split = word.find(|c: char| c.is_ascii_digit()).filter(|&at| {
            at > 0 && word[at..].bytes().all(|b| b.is_ascii_digit()) && glued.iter().any(|g| g == &word[..at])
        });
        match split {
            Some(at) => {
                let middle = origin[at];
                tokens.push(Token { word: word[..at].to_string(), start, end: middle, boundary_before: boundary });
                tokens.push(Token { word: word[at..].to_string(), start: middle, end, boundary_before: false });
            }
            None => tokens.push(Token { word: word.clone(), start, end, boundary_before: boundary }),
        }
        word.clear();
        origin.clear();
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            if word.is_empty() {
                boundary = pending_boundary;
                pending_boundary = false;
            }
            for base in std::iter::once(c).nfd() {
                match base {
                    'đ' | 'Đ' | 'ð' | 'Ð' => word.push('d'),
                    b if unicode_normalization::char::is_combining_mark(b) => {}
                    b => word.extend(b.to_lowercase()),
                }
                origin.resize(word.len(), at);
            }
        } else {
            finish(&mut word, &mut origin, at, boundary, &mut tokens);
            let spaced_dash = c == '-'
                && chars.get(i + 1).is_none_or(|&(_, n)| n.is_whitespace())
                && i > 0
                && chars[i - 1].1.is_whitespace();
            if matches!(c, ',' | ';' | '|' | '(' | ')' | '\n') || spaced_dash {
                pending_boundary = true;
            }
        }
    }
    finish(&mut word, &mut origin, text.len(), boundary, &mut tokens);
    tokens
}
