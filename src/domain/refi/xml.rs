//! A minimal streaming XML writer: elements are written as they are opened, so a
//! project of any size is written with flat memory. Escapes text and attributes, and
//! replaces the characters XML 1.0 cannot carry at all.

use std::io::{self, Write};

pub struct XmlWriter<W: Write> {
    out: W,
}

impl<W: Write> XmlWriter<W> {
    /// Starts a document with the XML declaration.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")?;
        Ok(Self { out })
    }

    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.start_tag(name, attributes)?;
        self.out.write_all(b">")
    }

    /// An element without content: `<name … />`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.start_tag(name, attributes)?;
        self.out.write_all(b"/>")
    }

    pub fn close(&mut self, name: &str) -> io::Result<()> {
        write!(self.out, "</{name}>")
    }

    /// `<name>text</name>`.
    pub fn text_element(&mut self, name: &str, text: &str) -> io::Result<()> {
        write!(self.out, "<{name}>")?;
        self.out.write_all(escape(text, false).as_bytes())?;
        self.close(name)
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        write!(self.out, "<{name}")?;
        for (key, value) in attributes {
            write!(self.out, " {key}=\"{}\"", escape(value, true))?;
        }
        Ok(())
    }
}

/// Text escaped for element content or (with `attribute`) a double-quoted attribute,
/// where line breaks and tabs become character references so that attribute-value
/// normalisation does not turn them into spaces. Characters XML 1.0 forbids (most C0
/// controls, unpaired surrogates cannot occur in a `str`, U+FFFE/U+FFFF) become U+FFFD.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// Whether XML 1.0 allows the character.
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(escape("a<b & \"c\"\n", false), "a&lt;b &amp; \"c\"\n");
        assert_eq!(
            escape("a<b & \"c\"\n", true),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
        assert_eq!(escape("bell\u{7}", false), "bell\u{fffd}");
        assert_eq!(escape("💛é", true), "💛é");
    }

    #[test]
    fn elements_nest_as_written() {
        let mut xml = XmlWriter::new(Vec::new()).unwrap();
        xml.open("A", &[("x", "1")]).unwrap();
        xml.empty("B", &[]).unwrap();
        xml.text_element("C", "t").unwrap();
        xml.close("A").unwrap();
        let out = String::from_utf8(xml.into_inner()).unwrap();
        assert!(out.ends_with("<A x=\"1\"><B/><C>t</C></A>"), "{out}");
    }
}
