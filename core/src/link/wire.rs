//! The bytes a link and a receipt are written in. Every value has one spelling (no overlong
//! number, no ID read back other than as written), so that any edit of a text is an edit of
//! the sealed bytes.

use std::fmt;

use chrono::{DateTime, Utc};

/// Length of the HMAC-SHA-256 tag that ends a token and a receipt.
pub(super) const TAG_BYTES: usize = 32;

/// Longest token or receipt accepted, in characters, checked before anything is decoded.
/// A genuine one stays below it: about 56,000 with every field at its longest and full of
/// 4-byte characters.
pub const MAX_TEXT_CHARS: usize = 65_536;

/// An ID must come back exactly as written: a parse that trims would let spaces slip in.
pub(super) fn exact_id<T: fmt::Display, E>(
    text: &str,
    parse: fn(&str) -> Result<T, E>,
    problem: &'static str,
) -> Result<T, Cut> {
    match parse(text) {
        Ok(id) if id.to_string() == text => Ok(id),
        _ => Err(Cut(problem)),
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(super) fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

pub(super) fn put_time(out: &mut Vec<u8>, at: DateTime<Utc>) {
    let seconds = at.timestamp();
    put_varint(out, ((seconds << 1) ^ (seconds >> 63)) as u64);
    put_varint(out, u64::from(at.timestamp_subsec_nanos()));
}

/// Why authenticated bytes still do not make sense (only a holder of the secret can get
/// that far with bytes the app did not write).
pub(super) struct Cut(pub(super) &'static str);

pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl Reader<'_> {
    pub(super) fn byte(&mut self) -> Result<u8, Cut> {
        let (&first, rest) = self.0.split_first().ok_or(Cut("it is cut short"))?;
        self.0 = rest;
        Ok(first)
    }

    /// LEB128, refusing overlong forms so each value has one spelling.
    fn varint(&mut self) -> Result<u64, Cut> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(Cut("a number is too large"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(Cut("a number is not written the short way"));
                }
                return Ok(value);
            }
        }
        Err(Cut("a number is too large"))
    }

    pub(super) fn time(&mut self) -> Result<DateTime<Utc>, Cut> {
        let zigzag = self.varint()?;
        let seconds = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        let nanos = u32::try_from(self.varint()?).map_err(|_| Cut("a time is not valid"))?;
        DateTime::from_timestamp(seconds, nanos).ok_or(Cut("a time is not valid"))
    }

    pub(super) fn str(&mut self) -> Result<&str, Cut> {
        let len = usize::try_from(self.varint()?).map_err(|_| Cut("it is cut short"))?;
        if len > self.0.len() {
            return Err(Cut("it is cut short"));
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(text).map_err(|_| Cut("a text is not valid UTF-8"))
    }

    pub(super) fn text(
        &mut self,
        min: usize,
        max: usize,
        problem: &'static str,
    ) -> Result<String, Cut> {
        let text = self.str()?;
        let count = text.chars().count();
        if count < min || count > max || (min > 0 && text.trim().is_empty()) {
            return Err(Cut(problem));
        }
        Ok(text.to_string())
    }

    pub(super) fn finish(&self) -> Result<(), Cut> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Cut("it carries bytes after its last field"))
        }
    }
}
