//! byline's query language: parsing text into a [`QueryNode`] tree.
//!
//! Grammar (upper-case operators; juxtaposition means AND):
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*
//! unary   := ("NOT" | "-") unary | "+"? primary
//! primary := "(" or ")" | [field ":"] (phrase | range | word) | "*"
//! phrase  := '"' text '"' ["~" slop]
//! word    := text ["*" | "~" [distance]]
//! range   := "[" value "TO" value "]"
//! ```
//!
//! Parsing is separate from compiling to tantivy so that errors can name
//! the column where the query went wrong.

use std::fmt;

/// A field a query clause can be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryField {
    /// The headline.
    Title,
    /// The article text.
    Body,
    /// A person named by the article.
    Person,
    /// A place named by the article.
    Place,
    /// An organisation named by the article.
    Org,
    /// The publication date.
    Date,
}

impl QueryField {
    /// Field names as users write them.
    pub const NAMES: &'static str = "title, body, person, place, org, date";

    fn from_name(name: &str) -> Option<QueryField> {
        Some(match name.to_ascii_lowercase().as_str() {
            "title" | "headline" => QueryField::Title,
            "body" | "text" => QueryField::Body,
            "person" | "people" => QueryField::Person,
            "place" | "places" => QueryField::Place,
            "org" | "orgs" | "organisation" | "organization" => QueryField::Org,
            "date" | "published" => QueryField::Date,
            _ => return None,
        })
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryNode {
    /// Every article (`*`, or an empty query).
    All,
    /// A word, maybe a prefix (`evacu*`) or fuzzy (`Lavorv~1`).
    Word {
        /// Restricted to this field, or title and body.
        field: Option<QueryField>,
        /// The word as typed.
        text: String,
        /// Matches words starting with `text`.
        prefix: bool,
        /// Edit distance for fuzzy matching.
        fuzzy: Option<u8>,
    },
    /// Words in this order, at most `slop` positions apart in total.
    Phrase {
        /// Restricted to this field, or title and body.
        field: Option<QueryField>,
        /// The quoted text.
        text: String,
        /// Allowed distance (`"a b"~5`); 0 means adjacent.
        slop: u32,
    },
    /// An inclusive range of values, `[a TO b]`; `*` leaves an end open.
    Range {
        /// The field.
        field: QueryField,
        /// Lower end, if any.
        from: Option<String>,
        /// Upper end, if any.
        to: Option<String>,
    },
    /// All of these.
    And(Vec<QueryNode>),
    /// Any of these.
    Or(Vec<QueryNode>),
    /// Not this.
    Not(Box<QueryNode>),
}

/// A query that could not be parsed, with the column (1-based, in characters) where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySyntaxError {
    /// 1-based character column.
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for QuerySyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for QuerySyntaxError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Colon,
    Minus,
    Plus,
    Tilde(Option<u32>),
    Star,
}

struct Lexer {
    tokens: Vec<(Tok, usize)>,
}

fn lex(input: &str) -> Result<Lexer, QuerySyntaxError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        match c {
            c if c.is_whitespace() => i += 1,
            '"' | '“' | '”' => {
                let start = i;
                i += 1;
                let mut text = String::new();
                while i < chars.len() && !matches!(chars[i], '"' | '“' | '”') {
                    text.push(chars[i]);
                    i += 1;
                }
                if i == chars.len() {
                    return Err(QuerySyntaxError {
                        column: start + 1,
                        message: "this quote is never closed: expected a closing `\"`".into(),
                    });
                }
                i += 1;
                tokens.push((Tok::Phrase(text), col));
            }
            '(' => push(&mut tokens, &mut i, Tok::LParen, col),
            ')' => push(&mut tokens, &mut i, Tok::RParen, col),
            '[' => push(&mut tokens, &mut i, Tok::LBracket, col),
            ']' => push(&mut tokens, &mut i, Tok::RBracket, col),
            ':' => push(&mut tokens, &mut i, Tok::Colon, col),
            '*' => push(&mut tokens, &mut i, Tok::Star, col),
            '-' if starts_clause(&tokens) => push(&mut tokens, &mut i, Tok::Minus, col),
            '+' if starts_clause(&tokens) => push(&mut tokens, &mut i, Tok::Plus, col),
            '~' => {
                i += 1;
                let digits_start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let digits: String = chars[digits_start..i].iter().collect();
                let n = if digits.is_empty() {
                    None
                } else {
                    Some(digits.parse().map_err(|_| QuerySyntaxError {
                        column: col + 1,
                        message: format!("`{digits}` is too large a distance"),
                    })?)
                };
                tokens.push((Tok::Tilde(n), col));
            }
            _ => {
                let mut text = String::new();
                while i < chars.len() {
                    let c = chars[i];
                    if c.is_whitespace()
                        || matches!(c, '"' | '“' | '”' | '(' | ')' | '[' | ']' | '~' | '*')
                    {
                        break;
                    }
                    // A colon ends a field name, but stays inside times and URLs (10:30, http://).
                    if c == ':'
                        && !(i + 1 < chars.len()
                            && chars[i + 1].is_ascii_digit()
                            && text.chars().all(|c| c.is_ascii_digit()))
                    {
                        break;
                    }
                    text.push(c);
                    i += 1;
                }
                tokens.push((Tok::Word(text), col));
            }
        }
    }
    Ok(Lexer { tokens })
}

fn push(tokens: &mut Vec<(Tok, usize)>, i: &mut usize, tok: Tok, col: usize) {
    tokens.push((tok, col));
    *i += 1;
}

/// `-` and `+` are operators only where a clause can begin (`a -b`, `(-b`),
/// not inside a word (`al-Nusra`), which the word lexer handles anyway.
fn starts_clause(tokens: &[(Tok, usize)]) -> bool {
    !matches!(tokens.last(), Some((Tok::Colon, _)))
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    end_column: usize,
}

/// Parses a query. An empty query (or `*`) means every article.
pub fn parse_query(input: &str) -> Result<QueryNode, QuerySyntaxError> {
    let lexer = lex(input)?;
    if lexer.tokens.is_empty() {
        return Ok(QueryNode::All);
    }
    let mut parser = Parser {
        tokens: lexer.tokens,
        pos: 0,
        end_column: input.chars().count() + 1,
    };
    let node = parser.or()?;
    if let Some((tok, col)) = parser.peek_with_col() {
        let message = match tok {
            Tok::RParen => "`)` without a matching `(`".to_string(),
            other => format!("unexpected {}", describe(other)),
        };
        return Err(QuerySyntaxError {
            column: col,
            message,
        });
    }
    Ok(node)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_with_col(&self) -> Option<(&Tok, usize)> {
        self.tokens.get(self.pos).map(|(t, c)| (t, *c))
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.end_column, |(_, c)| *c)
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w == keyword)
    }

    fn or(&mut self) -> Result<QueryNode, QuerySyntaxError> {
        let mut parts = vec![self.and()?];
        while self.is_keyword("OR") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            QueryNode::Or(parts)
        })
    }

    fn and(&mut self) -> Result<QueryNode, QuerySyntaxError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Tok::RParen) => break,
                Some(Tok::Word(w)) if w == "OR" => break,
                Some(Tok::Word(w)) if w == "AND" => {
                    self.pos += 1;
                    parts.push(self.unary()?);
                }
                _ => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            QueryNode::And(parts)
        })
    }

    fn unary(&mut self) -> Result<QueryNode, QuerySyntaxError> {
        match self.peek() {
            Some(Tok::Minus) => {
                self.pos += 1;
                Ok(QueryNode::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Word(w)) if w == "NOT" => {
                self.pos += 1;
                Ok(QueryNode::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Plus) => {
                self.pos += 1;
                self.primary()
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<QueryNode, QuerySyntaxError> {
        let column = self.column();
        let Some((tok, _)) = self.tokens.get(self.pos).cloned() else {
            return Err(QuerySyntaxError {
                column,
                message: "the query ends where a term was expected".into(),
            });
        };
        match tok {
            Tok::LParen => {
                self.pos += 1;
                if matches!(self.peek(), Some(Tok::RParen)) {
                    return Err(QuerySyntaxError {
                        column: self.column(),
                        message: "empty parentheses: expected a term".into(),
                    });
                }
                let inner = self.or()?;
                match self.peek() {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(QuerySyntaxError {
                        column,
                        message: "this `(` is never closed: expected `)`".into(),
                    }),
                }
            }
            Tok::Star => {
                self.pos += 1;
                Ok(QueryNode::All)
            }
            Tok::Word(ref w) if matches!(w.as_str(), "AND" | "OR") => Err(QuerySyntaxError {
                column,
                message: format!("`{w}` needs a term before and after it"),
            }),
            Tok::Word(word) => {
                self.pos += 1;
                if matches!(self.peek(), Some(Tok::Colon)) {
                    let Some(field) = QueryField::from_name(&word) else {
                        return Err(QuerySyntaxError {
                            column,
                            message: format!(
                                "unknown field `{word}`: expected one of {}",
                                QueryField::NAMES
                            ),
                        });
                    };
                    self.pos += 1;
                    return self.field_value(field);
                }
                self.word_rest(None, word)
            }
            Tok::Phrase(text) => {
                self.pos += 1;
                self.phrase_rest(None, text)
            }
            other => Err(QuerySyntaxError {
                column,
                message: format!("unexpected {}: expected a term", describe(&other)),
            }),
        }
    }

    fn field_value(&mut self, field: QueryField) -> Result<QueryNode, QuerySyntaxError> {
        let column = self.column();
        match self.tokens.get(self.pos).cloned() {
            Some((Tok::Word(word), _)) if !matches!(word.as_str(), "AND" | "OR" | "NOT") => {
                self.pos += 1;
                self.word_rest(Some(field), word)
            }
            Some((Tok::Phrase(text), _)) => {
                self.pos += 1;
                self.phrase_rest(Some(field), text)
            }
            Some((Tok::LBracket, _)) => {
                self.pos += 1;
                let from = self.range_end()?;
                if !self.is_keyword("TO") {
                    return Err(QuerySyntaxError {
                        column: self.column(),
                        message: "expected `TO` inside the range".into(),
                    });
                }
                self.pos += 1;
                let to = self.range_end()?;
                if !matches!(self.peek(), Some(Tok::RBracket)) {
                    return Err(QuerySyntaxError {
                        column,
                        message: "this `[` is never closed: expected `]`".into(),
                    });
                }
                self.pos += 1;
                Ok(QueryNode::Range { field, from, to })
            }
            _ => Err(QuerySyntaxError {
                column,
                message: "expected a value after the field name".into(),
            }),
        }
    }

    fn range_end(&mut self) -> Result<Option<String>, QuerySyntaxError> {
        match self.tokens.get(self.pos).cloned() {
            Some((Tok::Star, _)) => {
                self.pos += 1;
                Ok(None)
            }
            Some((Tok::Word(w), _)) if w != "TO" => {
                self.pos += 1;
                Ok(Some(w))
            }
            _ => Err(QuerySyntaxError {
                column: self.column(),
                message: "expected a value or `*` in the range".into(),
            }),
        }
    }

    fn word_rest(
        &mut self,
        field: Option<QueryField>,
        text: String,
    ) -> Result<QueryNode, QuerySyntaxError> {
        let mut prefix = false;
        let mut fuzzy = None;
        match self.peek().cloned() {
            Some(Tok::Star) => {
                self.pos += 1;
                prefix = true;
            }
            Some(Tok::Tilde(n)) => {
                let column = self.column();
                self.pos += 1;
                let n = n.unwrap_or(1);
                if n > 2 {
                    return Err(QuerySyntaxError {
                        column,
                        message: format!("fuzzy distance {n} is too large: use 1 or 2"),
                    });
                }
                fuzzy = Some(n as u8);
            }
            _ => {}
        }
        Ok(QueryNode::Word {
            field,
            text,
            prefix,
            fuzzy,
        })
    }

    fn phrase_rest(
        &mut self,
        field: Option<QueryField>,
        text: String,
    ) -> Result<QueryNode, QuerySyntaxError> {
        let mut slop = 0;
        if let Some(Tok::Tilde(n)) = self.peek().cloned() {
            self.pos += 1;
            slop = n.unwrap_or(2);
        }
        Ok(QueryNode::Phrase { field, text, slop })
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Phrase(p) => format!("phrase \"{p}\""),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Tilde(_) => "`~`".into(),
        Tok::Star => "`*`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> QueryNode {
        QueryNode::Word {
            field: None,
            text: text.into(),
            prefix: false,
            fuzzy: None,
        }
    }

    #[test]
    fn words_are_anded_by_default() {
        assert_eq!(
            parse_query("Daraya siege").unwrap(),
            QueryNode::And(vec![word("Daraya"), word("siege")])
        );
        assert_eq!(
            parse_query("a AND b").unwrap(),
            QueryNode::And(vec![word("a"), word("b")])
        );
    }

    #[test]
    fn or_binds_looser_than_and() {
        assert_eq!(
            parse_query("a b OR c").unwrap(),
            QueryNode::Or(vec![QueryNode::And(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            parse_query("a (b OR c)").unwrap(),
            QueryNode::And(vec![word("a"), QueryNode::Or(vec![word("b"), word("c")])])
        );
    }

    #[test]
    fn negation_phrases_fields_and_operators() {
        assert_eq!(
            parse_query("-Aleppo").unwrap(),
            QueryNode::Not(Box::new(word("Aleppo")))
        );
        assert_eq!(
            parse_query("NOT Aleppo").unwrap(),
            QueryNode::Not(Box::new(word("Aleppo")))
        );
        assert_eq!(parse_query("al-Nusra").unwrap(), word("al-Nusra"));
        assert_eq!(
            parse_query("\"Kerry Lavrov\"~5").unwrap(),
            QueryNode::Phrase {
                field: None,
                text: "Kerry Lavrov".into(),
                slop: 5
            }
        );
        assert_eq!(
            parse_query("title:swiss").unwrap(),
            QueryNode::Word {
                field: Some(QueryField::Title),
                text: "swiss".into(),
                prefix: false,
                fuzzy: None
            }
        );
        assert_eq!(
            parse_query("person:\"John Kerry\"").unwrap(),
            QueryNode::Phrase {
                field: Some(QueryField::Person),
                text: "John Kerry".into(),
                slop: 0
            }
        );
        assert_eq!(
            parse_query("evacu*").unwrap(),
            QueryNode::Word {
                field: None,
                text: "evacu".into(),
                prefix: true,
                fuzzy: None
            }
        );
        assert_eq!(
            parse_query("Lavorv~1").unwrap(),
            QueryNode::Word {
                field: None,
                text: "Lavorv".into(),
                prefix: false,
                fuzzy: Some(1)
            }
        );
        assert_eq!(
            parse_query("date:[2016-08-01 TO *]").unwrap(),
            QueryNode::Range {
                field: QueryField::Date,
                from: Some("2016-08-01".into()),
                to: None
            }
        );
        assert_eq!(parse_query("").unwrap(), QueryNode::All);
        assert_eq!(parse_query("*").unwrap(), QueryNode::All);
        assert_eq!(parse_query("10:30").unwrap(), word("10:30"));
    }

    #[test]
    fn errors_name_the_column() {
        let e = parse_query("Kerry \"truce deal").unwrap_err();
        assert_eq!(e.column, 7);
        assert!(e.message.contains("never closed"));
        let e = parse_query("(a OR b").unwrap_err();
        assert_eq!(e.column, 1);
        let e = parse_query("a OR").unwrap_err();
        assert_eq!(e.column, 5);
        let e = parse_query("a )").unwrap_err();
        assert_eq!(e.column, 3);
        let e = parse_query("colour:red").unwrap_err();
        assert!(e.message.contains("unknown field `colour`"));
        assert_eq!(parse_query("AND a").unwrap_err().column, 1);
        assert!(parse_query("a~7").is_err());
    }
}
