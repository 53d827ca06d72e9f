//! The service model's string patterns, matched over the whole text as the workbench reads
//! them everywhere (`^(?:pattern)$`). A full regex engine would add far more to the
//! seller's download than the dozen patterns the model uses need, so this reads just their
//! syntax: literals, `.`, `\S` and `\s` (Unicode white space, as `regex` has it), `\d` (an
//! ASCII digit, as the service's Java patterns read it), escaped punctuation, `[...]`
//! classes with ranges, `(...)` and `(?:...)` groups, `|` alternatives and the quantifiers
//! `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`. A pattern outside that is refused when the model is read, never
//! guessed; a test holds every pattern of the embedded model to what `regex` says.

use std::fmt;

/// A pattern read from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    /// One character of a set of ranges, or (negated) of none of them.
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Any,
    /// Its alternatives, each a sequence.
    Group(Vec<Vec<Item>>),
}

/// Why a pattern is not one this matcher reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the pattern {pattern} uses {what}, which the workbench's matcher does not read")]
pub struct PatternError {
    pub pattern: String,
    pub what: String,
}

const SPACE: &[(char, char)] = &[
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

impl Pattern {
    /// Reads a pattern of the model.
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let mut parser = Parser {
            source,
            chars: source.chars().collect(),
            at: 0,
        };
        let mut alternatives = parser.alternatives()?;
        let items = if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            vec![Item {
                atom: Atom::Group(alternatives),
                min: 1,
                max: 1,
            }]
        };
        if parser.at < parser.chars.len() {
            return Err(parser.unsupported(format!("'{}'", parser.chars[parser.at])));
        }
        Ok(Pattern {
            source: source.to_string(),
            items,
        })
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        sequence(&self.items, &chars, 0, &|end| end == chars.len())
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct Parser<'a> {
    source: &'a str,
    chars: Vec<char>,
    at: usize,
}

impl Parser<'_> {
    fn unsupported(&self, what: String) -> PatternError {
        PatternError {
            pattern: self.source.to_string(),
            what,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += 1;
        c
    }

    /// Sequences parted by `|`.
    fn alternatives(&mut self) -> Result<Vec<Vec<Item>>, PatternError> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            alternatives.push(self.sequence()?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self) -> Result<Vec<Item>, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == ')' || c == '|' {
                break;
            }
            let atom = self.atom(c)?;
            let (min, max) = self.quantifier()?;
            items.push(Item { atom, min, max });
        }
        Ok(items)
    }

    /// The atom that `c`, the next character, begins.
    fn atom(&mut self, c: char) -> Result<Atom, PatternError> {
        if matches!(c, '|' | '^' | '$' | '*' | '+' | '?' | '{') {
            return Err(self.unsupported(format!("'{c}' here")));
        }
        self.at += 1;
        match c {
            '(' => self.group(),
            '[' => self.class(),
            '.' => Ok(Atom::Any),
            '\\' => self.escape(),
            _ => Ok(Atom::Class {
                ranges: vec![(c, c)],
                negated: false,
            }),
        }
    }

    /// A group, after its `(`; `(?:` groups alike, since nothing is captured.
    fn group(&mut self) -> Result<Atom, PatternError> {
        if self.peek() == Some('?') {
            self.at += 1;
            if self.next() != Some(':') {
                return Err(self.unsupported("a group flag other than (?:".into()));
            }
        }
        let mut alternatives = self.alternatives()?;
        if self.next() != Some(')') {
            return Err(self.unsupported("an unclosed group".into()));
        }
        if alternatives.len() > 1 {
            return Ok(Atom::Group(alternatives));
        }
        // A group of one plain character, as in `(.)+`, repeats without recursing once
        // per character of a 4096-character text.
        Ok(match <[Item; 1]>::try_from(alternatives.remove(0)) {
            Ok(
                [Item {
                    atom,
                    min: 1,
                    max: 1,
                }],
            ) => atom,
            Ok([item]) => Atom::Group(vec![vec![item]]),
            Err(inner) => Atom::Group(vec![inner]),
        })
    }

    fn escape(&mut self) -> Result<Atom, PatternError> {
        let class = |ranges: &[(char, char)], negated| Atom::Class {
            ranges: ranges.to_vec(),
            negated,
        };
        Ok(match self.next() {
            Some('S') => class(SPACE, true),
            Some('s') => class(SPACE, false),
            Some('d') => class(&[('0', '9')], false),
            Some(c) if c.is_ascii_punctuation() => class(&[(c, c)], false),
            other => return Err(self.unsupported(format!("the escape \\{}", other.unwrap_or(' ')))),
        })
    }

    fn class(&mut self) -> Result<Atom, PatternError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = match self.next() {
                None => return Err(self.unsupported("an unclosed class".into())),
                Some(']') if !first => break,
                Some('\\') => match self.escape()? {
                    Atom::Class {
                        ranges: escaped,
                        negated: false,
                    } if escaped.len() == 1 && escaped[0].0 == escaped[0].1 => escaped[0].0,
                    Atom::Class {
                        ranges: escaped,
                        negated: false,
                    } => {
                        ranges.extend(escaped);
                        first = false;
                        continue;
                    }
                    _ => return Err(self.unsupported("a negated escape inside a class".into())),
                },
                Some('[') => return Err(self.unsupported("a nested class".into())),
                Some(c) => c,
            };
            first = false;
            let range = self.peek() == Some('-') && self.chars.get(self.at + 1) != Some(&']');
            if range {
                self.at += 1;
                match self.next() {
                    Some(end) if end != '\\' && end >= c => ranges.push((c, end)),
                    _ => return Err(self.unsupported("a range it cannot read".into())),
                }
            } else {
                ranges.push((c, c));
            }
        }
        Ok(Atom::Class { ranges, negated })
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[start..self.at]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantifier(&mut self) -> Result<(usize, usize), PatternError> {
        let bounds = match self.peek() {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                self.at += 1;
                let min = self
                    .number()
                    .ok_or_else(|| self.unsupported("a repetition without a count".into()))?;
                let max = if self.peek() == Some(',') {
                    self.at += 1;
                    self.number().unwrap_or(usize::MAX)
                } else {
                    min
                };
                if self.peek() != Some('}') || max < min {
                    return Err(self.unsupported("a repetition it cannot read".into()));
                }
                (min, max)
            }
            _ => return Ok((1, 1)),
        };
        self.at += 1;
        if matches!(self.peek(), Some('?' | '+')) {
            return Err(self.unsupported("a lazy or possessive repetition".into()));
        }
        Ok(bounds)
    }
}

impl Atom {
    /// Whether one character matches; groups are matched by [`sequence`].
    fn accepts(&self, c: char) -> bool {
        match self {
            Atom::Any => c != '\n',
            Atom::Class { ranges, negated } => {
                ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)) != *negated
            }
            Atom::Group(_) => false,
        }
    }
}

/// Whether `items` match from `at` on in some way that `rest` accepts the end of.
fn sequence(items: &[Item], text: &[char], at: usize, rest: &dyn Fn(usize) -> bool) -> bool {
    let Some((item, others)) = items.split_first() else {
        return rest(at);
    };
    let then = |end: usize| sequence(others, text, end, rest);
    match &item.atom {
        Atom::Group(inner) => repeat_group(inner, item.min, item.max, text, at, &then),
        atom => {
            // A character at a time: as many as match (greedy), then fewer.
            let most = text[at..]
                .iter()
                .take(item.max)
                .take_while(|c| atom.accepts(**c))
                .count();
            (item.min..=most).rev().any(|count| then(at + count))
        }
    }
}

fn repeat_group(
    inner: &[Vec<Item>],
    min: usize,
    max: usize,
    text: &[char],
    at: usize,
    rest: &dyn Fn(usize) -> bool,
) -> bool {
    let again = max > 0
        && inner.iter().any(|alternative| {
            sequence(alternative, text, at, &|end| {
                if end == at {
                    // A round that matched nothing: more of them change nothing, so it
                    // meets whatever rounds are still required, as in `([-+]?)P` on "P".
                    min > 0 && rest(at)
                } else {
                    repeat_group(inner, min.saturating_sub(1), max - 1, text, end, rest)
                }
            })
        });
    again || (min == 0 && rest(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(pattern: &str, text: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(text)
    }

    #[test]
    fn identifiers_match_over_the_whole_text() {
        assert!(full("acr-[a-zA-Z0-9]+", "acr-abc123"));
        assert!(!full("acr-[a-zA-Z0-9]+", "acr-"));
        assert!(!full("acr-[a-zA-Z0-9]+", "xacr-abc"));
        assert!(!full("[0-9]+", "12a"));
        assert!(full("[A-Za-z0-9_/-]+", "agmt/a_b-c"));
        assert!(full("[A-Za-z0-9.,+:/_-]+", "a.b,c+d:e/f_g-h"));
    }

    #[test]
    fn a_required_group_that_can_match_nothing_matches_nothing() {
        assert!(full("([-+]?)P", "P"));
        assert!(full("([-+]?)P", "-P"));
        assert!(full("(a*){2}b", "b"));
        assert!(full("(a*){2}b", "aab"));
        assert!(!full("([-+]?)P", "+-P"));
        let duration = "([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?";
        for ok in ["P", "P1D", "-PT2H", "PT", "P1DT2H3M4.5S"] {
            assert!(full(duration, ok), "{ok}");
        }
        assert!(!full(duration, "P1"));
    }

    #[test]
    fn amounts_take_an_optional_fraction_of_at_most_eight_digits() {
        let amount = "[0-9]*(\\.[0-9]{0,8})?";
        for ok in ["", "1", "1000.00", ".5", "1.", "0.12345678"] {
            assert!(full(amount, ok), "{ok}");
        }
        for bad in ["-1", "1.123456789", "1,00", "1.2.3", "a"] {
            assert!(!full(amount, bad), "{bad}");
        }
    }

    #[test]
    fn non_space_and_any_count_characters_not_bytes() {
        assert!(full("\\S{1,3}", "日本語"));
        assert!(!full("\\S{1,3}", "日本語x"));
        assert!(!full("\\S{1,64}", "a b"));
        assert!(full("(.)+", "x\u{3000}y"));
        assert!(!full("(.)+", ""));
        assert!(full("(.)+", &"é".repeat(4096)));
    }

    #[test]
    fn alternatives_and_digits_read_as_the_terms_patterns_need() {
        let percentage = "(100(\\.0{1,2})?|[1-9]\\d?(\\.\\d{1,2})?|0\\.(0[1-9]|[1-9]\\d?))";
        for ok in ["100", "100.00", "7", "99.5", "0.01", "0.5"] {
            assert!(full(percentage, ok), "{ok}");
        }
        for bad in ["101", "0", "0.00", "100.5", "07", "٣"] {
            assert!(!full(percentage, bad), "{bad}");
        }
        assert!(full("(?:a|bc)+d", "abcad"));
        assert!(!full("(?:a|bc)+d", "abd"));
        assert!(full("a|b", "b"));
    }

    #[test]
    fn syntax_it_does_not_read_is_refused_not_guessed() {
        for pattern in [
            "(?i)a", "^a", "a+?", "[a", "(a", "\\p{L}", "a{2,1}", "[z-a]", "a|b)",
        ] {
            assert!(Pattern::parse(pattern).is_err(), "{pattern}");
        }
    }
}
