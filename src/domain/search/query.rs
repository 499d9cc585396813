//! The search syntax users type, checked and translated into an FTS5 query. Raw input is
//! never handed to `MATCH`: every word becomes a quoted FTS5 string, so punctuation and
//! FTS5's own column and `^` syntax cannot reach it, and a mistake gets a message that
//! says what to change instead of an SQLite error.
//!
//! Syntax: words (all must occur), `"exact phrases"`, prefixes (`automat*`), the
//! upper-case operators `AND`, `OR`, `NOT` (binary: `jobs NOT robots`), parentheses, and
//! `NEAR(word word, 10)` (the words within 10 words of each other; 10 when left out).
//! Precedence as in FTS5: `NOT` binds tightest, then `AND` (also implicit), then `OR`.

use crate::domain::Invalid;

const FIELD: &str = "q";
/// Longest query accepted, in code points.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words and phrases in one query (each costs an index lookup).
pub const MAX_TERMS: usize = 32;
const MAX_NEAR_DISTANCE: u32 = 1000;
const DEFAULT_NEAR_DISTANCE: u32 = 10;

/// A checked query and its FTS5 translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    typed: String,
    fts: String,
}

impl SearchQuery {
    pub fn parse(typed: &str) -> Result<Self, Invalid> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(invalid("Type a word or \"a phrase\" to search for."));
        }
        if typed.chars().count() > MAX_QUERY_CHARS {
            return Err(invalid(format!(
                "The query is longer than {MAX_QUERY_CHARS} characters; shorten it."
            )));
        }
        let tokens = lex(typed)?;
        let terms = tokens
            .iter()
            .filter(|t| matches!(t, Token::Term(..)))
            .count();
        if terms > MAX_TERMS {
            return Err(invalid(format!(
                "The query has {terms} words and phrases, more than {MAX_TERMS}; shorten it."
            )));
        }
        let mut parser = Parser { tokens, at: 0 };
        let fts = parser.or_expr()?;
        if parser.peek() == Some(&Token::Close) {
            return Err(invalid(
                "A “)” has no matching “(”; remove it or add the “(”.",
            ));
        }
        if let Some(token) = parser.peek() {
            return Err(invalid(format!(
                "Unexpected {} here; remove it or put a word before it.",
                token.describe()
            )));
        }
        Ok(Self {
            typed: typed.to_owned(),
            fts,
        })
    }

    /// What the user typed (trimmed).
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// The FTS5 query expression.
    pub fn fts(&self) -> &str {
        &self.fts
    }
}

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid::new(FIELD, message)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word or a quoted phrase (its text), and whether it ends in `*`.
    Term(String, bool),
    And,
    Or,
    Not,
    Near,
    Open,
    Close,
    Comma,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Term(text, _) => format!("“{text}”"),
            Token::And => "AND".into(),
            Token::Or => "OR".into(),
            Token::Not => "NOT".into(),
            Token::Near => "NEAR".into(),
            Token::Open => "“(”".into(),
            Token::Close => "“)”".into(),
            Token::Comma => "“,”".into(),
        }
    }
}

fn lex(typed: &str) -> Result<Vec<Token>, Invalid> {
    let chars: Vec<char> = typed.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' | ')' | ',' => {
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
                i += 1;
            }
            '"' | '“' | '”' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&q| q == '"' || q == '”' || q == '“')
                    .ok_or_else(|| {
                        invalid(
                            "A quotation mark is not closed; add the closing \" after the phrase.",
                        )
                    })?;
                let phrase: String = chars[i + 1..i + 1 + close].iter().collect();
                i += close + 2;
                let prefix = chars.get(i) == Some(&'*');
                if prefix {
                    i += 1;
                }
                if !has_word_characters(&phrase) {
                    return Err(invalid(
                        "A quoted phrase is empty; put words between the quotation marks.",
                    ));
                }
                tokens.push(Token::Term(phrase.trim().to_owned(), prefix));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | ',' | '"' | '“' | '”')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(word_token(&word, chars.get(i) == Some(&'('))?);
            }
        }
    }
    Ok(tokens)
}

fn word_token(word: &str, before_parenthesis: bool) -> Result<Token, Invalid> {
    Ok(match word {
        "AND" => Token::And,
        "OR" => Token::Or,
        "NOT" => Token::Not,
        "NEAR" if before_parenthesis => Token::Near,
        _ => {
            let (body, prefix) = match word.strip_suffix('*') {
                Some(body) => (body, true),
                None => (word, false),
            };
            if body.contains('*') {
                return Err(invalid(format!(
                    "“{word}”: * may only end a word (automat* finds automation, automated …)."
                )));
            }
            if !has_word_characters(body) {
                return Err(invalid(format!(
                    "“{word}” has no letters or digits to search for; remove it."
                )));
            }
            Token::Term(body.to_owned(), prefix)
        }
    })
}

/// Whether the tokenizer would find a word in `text` (letters and digits; punctuation
/// and emoji separate words and are never searched for).
fn has_word_characters(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// An FTS5 string: double quotes doubled inside double quotes.
fn quoted(text: &str, prefix: bool) -> String {
    let star = if prefix { "*" } else { "" };
    format!("\"{}\"{star}", text.replace('"', "\"\""))
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn or_expr(&mut self) -> Result<String, Invalid> {
        let mut out = self.and_expr("OR")?;
        while self.peek() == Some(&Token::Or) {
            self.next();
            let right = self.operand("OR")?;
            out = format!("({out} OR {right})");
        }
        Ok(out)
    }

    fn operand(&mut self, operator: &str) -> Result<String, Invalid> {
        match self.peek() {
            None | Some(Token::Close) | Some(Token::Comma) => Err(invalid(format!(
                "{operator} needs a word after it (e.g. jobs {operator} work)."
            ))),
            _ => self.and_expr(operator),
        }
    }

    fn and_expr(&mut self, operator: &str) -> Result<String, Invalid> {
        let mut out = self.not_expr(operator)?;
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.next();
                    let right = self.not_operand("AND")?;
                    out = format!("({out} AND {right})");
                }
                Some(Token::Term(..)) | Some(Token::Open) | Some(Token::Near) => {
                    let right = self.not_expr("AND")?;
                    out = format!("({out} AND {right})");
                }
                _ => return Ok(out),
            }
        }
    }

    fn not_operand(&mut self, operator: &str) -> Result<String, Invalid> {
        match self.peek() {
            None | Some(Token::Close) | Some(Token::Comma) | Some(Token::Or) | Some(Token::And) => {
                Err(invalid(format!(
                    "{operator} needs a word after it (e.g. jobs {operator} work)."
                )))
            }
            _ => self.not_expr(operator),
        }
    }

    fn not_expr(&mut self, operator: &str) -> Result<String, Invalid> {
        let mut out = self.primary(operator)?;
        while self.peek() == Some(&Token::Not) {
            self.next();
            let right = match self.peek() {
                Some(Token::Term(..)) | Some(Token::Open) | Some(Token::Near) => {
                    self.primary("NOT")?
                }
                _ => {
                    return Err(invalid("NOT needs a word after it (e.g. jobs NOT robots)."));
                }
            };
            out = format!("({out} NOT {right})");
        }
        Ok(out)
    }

    fn primary(&mut self, operator: &str) -> Result<String, Invalid> {
        match self.next() {
            Some(Token::Term(text, prefix)) => Ok(quoted(&text, prefix)),
            Some(Token::Open) => {
                if self.peek() == Some(&Token::Close) {
                    return Err(invalid("The parentheses are empty; put words inside them."));
                }
                let inner = self.or_expr()?;
                match self.next() {
                    Some(Token::Close) => Ok(format!("({inner})")),
                    _ => Err(invalid("A parenthesis is not closed; add the missing “)”.")),
                }
            }
            Some(Token::Near) => self.near(),
            Some(Token::Not) if self.at == 1 => Err(invalid(
                "NOT needs a word before it: it excludes from what the words before it find \
                 (e.g. jobs NOT robots).",
            )),
            Some(Token::Close) => Err(invalid(
                "A “)” has no matching “(”; remove it or add the “(”.",
            )),
            Some(token) if self.at == 1 => Err(invalid(format!(
                "The query starts with {}; put a word before it (e.g. jobs {} work).",
                token.describe(),
                token.describe()
            ))),
            Some(token) => Err(invalid(format!(
                "{operator} is followed by {}; put a word between them.",
                token.describe()
            ))),
            None => Err(invalid(format!(
                "{operator} needs a word after it (e.g. jobs {operator} work)."
            ))),
        }
    }

    /// `NEAR(term term … [, distance])`; the `(` is next.
    fn near(&mut self) -> Result<String, Invalid> {
        const SHAPE: &str = "Write NEAR as NEAR(word word, 10): two or more words or \
                             \"phrases\", optionally a comma and the most words between them.";
        if self.next() != Some(Token::Open) {
            return Err(invalid(SHAPE));
        }
        let mut terms = Vec::new();
        while let Some(Token::Term(text, prefix)) = self.peek().cloned() {
            self.next();
            terms.push(quoted(&text, prefix));
        }
        let distance = if self.peek() == Some(&Token::Comma) {
            self.next();
            match self.next() {
                Some(Token::Term(n, false)) => n
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= MAX_NEAR_DISTANCE)
                    .ok_or_else(|| {
                        invalid(format!(
                            "NEAR's distance must be a whole number from 0 to {MAX_NEAR_DISTANCE}."
                        ))
                    })?,
                _ => return Err(invalid(SHAPE)),
            }
        } else {
            DEFAULT_NEAR_DISTANCE
        };
        if terms.len() < 2 || self.next() != Some(Token::Close) {
            return Err(invalid(SHAPE));
        }
        Ok(format!("NEAR({}, {distance})", terms.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(q: &str) -> String {
        SearchQuery::parse(q).unwrap().fts().to_owned()
    }

    fn error(q: &str) -> String {
        SearchQuery::parse(q).unwrap_err().message
    }

    #[test]
    fn words_are_quoted_and_joined_with_and() {
        assert_eq!(fts("robots jobs"), "(\"robots\" AND \"jobs\")");
        assert_eq!(fts("  robot  "), "\"robot\"");
    }

    #[test]
    fn phrases_prefixes_and_operators() {
        assert_eq!(fts("\"my job\""), "\"my job\"");
        assert_eq!(fts("automat*"), "\"automat\"*");
        assert_eq!(fts("“smart phone”*"), "\"smart phone\"*");
        assert_eq!(fts("a OR b c"), "(\"a\" OR (\"b\" AND \"c\"))");
        assert_eq!(fts("a NOT b"), "(\"a\" NOT \"b\")");
        assert_eq!(fts("(a OR b) AND c"), "(((\"a\" OR \"b\")) AND \"c\")");
        assert_eq!(fts("NEAR(robot job, 5)"), "NEAR(\"robot\" \"job\", 5)");
        assert_eq!(
            fts("NEAR(robot \"my job\")"),
            "NEAR(\"robot\" \"my job\", 10)"
        );
    }

    #[test]
    fn lower_case_operators_and_fts_syntax_are_plain_words() {
        assert_eq!(
            fts("cats and dogs"),
            "((\"cats\" AND \"and\") AND \"dogs\")"
        );
        assert_eq!(fts("body:robot"), "\"body:robot\"");
        assert_eq!(fts("^start"), "\"^start\"");
        assert_eq!(fts("near"), "\"near\"");
        assert_eq!(fts("don't"), "\"don't\"");
    }

    #[test]
    fn quotes_inside_words_are_escaped() {
        assert_eq!(fts("a\"b\""), "(\"a\" AND \"b\")");
    }

    #[test]
    fn malformed_queries_say_what_to_fix() {
        assert!(error("").contains("Type a word"));
        assert!(error("\"open phrase").contains("not closed"));
        assert!(error("(a OR b").contains("not closed"));
        assert!(error("a)").contains("no matching"));
        assert!(error("a OR").contains("OR needs a word after it"));
        assert!(error("OR a").contains("starts with OR"));
        assert!(error("NOT a").contains("NOT needs a word before it"));
        assert!(error("a NOT").contains("NOT needs a word after it"));
        assert!(error("a AND OR b").contains("AND needs a word after it"));
        assert!(error("au*to").contains("may only end a word"));
        assert!(error("?!").contains("no letters or digits"));
        assert!(error("\"\"").contains("empty"));
        assert!(error("()").contains("empty"));
        assert!(error("NEAR(a)").contains("NEAR(word word, 10)"));
        assert!(error("NEAR(a b, x)").contains("whole number"));
        assert!(error(&"w ".repeat(40)).contains("more than 32"));
        assert!(error(&"w".repeat(501)).contains("longer than"));
    }

    #[test]
    fn every_error_names_the_query_field() {
        assert_eq!(SearchQuery::parse("a OR").unwrap_err().field, "q");
    }
}
