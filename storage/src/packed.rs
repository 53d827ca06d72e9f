//! How a record's JSON is packed into a stored string from format 2 on: raw deflate primed
//! with a dictionary of the words every record repeats (field names, codes, the history's
//! phrases), then 15 bits to a character.
//!
//! localStorage counts its quota in UTF-16 code units, whatever the character, so one code
//! unit carrying 15 bits holds 2.5 times what base64's 6 bits would. The characters used are
//! U+4E00 to U+CDFF: all in the Basic Multilingual Plane below the surrogates, so each is
//! exactly one code unit, and JavaScript and Rust strings carry them unchanged.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use thiserror::Error;

/// Primes the compressor with what nearly every agreement record says, so that a record
/// pays for its own facts only. Part of format 2: changing it needs a new format.
const DICTIONARY: &[u8] = include_bytes!("format2-dictionary.json");

/// The first character of the 2^15 used.
const BASE: u32 = 0x4E00;
const BITS: u32 = 15;

/// Far above any record the workbench writes (the quota itself is 5 M characters), and low
/// enough that a doctored text cannot make the loader inflate gigabytes.
pub const UNPACKED_MAX: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnpackError {
    #[error("it holds characters a packed record never has")]
    Characters,
    #[error("it is cut short or padded wrongly")]
    Padding,
    #[error("its compressed content is damaged")]
    Deflate,
    #[error("it unpacks to more than {} MB", UNPACKED_MAX / (1024 * 1024))]
    TooLarge,
    #[error("it unpacks to text that is not UTF-8")]
    NotText,
}

pub fn pack(json: &str) -> String {
    to_chars(&deflate(json.as_bytes()))
}

pub fn unpack(text: &str) -> Result<String, UnpackError> {
    let bytes = inflate(&from_chars(text)?)?;
    String::from_utf8(bytes).map_err(|_| UnpackError::NotText)
}

/// Deflate's default level: against the best (9) it costs a fraction of a percent of the
/// quota and deflates in two thirds of the time, and deflating is a third of writing every
/// record after "+7 days" at scale. Below 6 the records grow faster than the time shrinks.
/// Any level reads back alike.
const LEVEL: u32 = 6;

thread_local! {
    // One deflate stream, reset for each record: a new one per record allocated its
    // window and tables each time, which made packing the scale demo a fifth slower.
    // Inflating keeps a stream per record: reusing one made no difference.
    static DEFLATE: RefCell<Compress> =
        RefCell::new(Compress::new(Compression::new(LEVEL), false));
}

fn deflate(data: &[u8]) -> Vec<u8> {
    DEFLATE.with_borrow_mut(|compress| {
        compress.reset();
        compress
            .set_dictionary(DICTIONARY)
            .expect("a raw deflate stream takes a dictionary before any input");
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = compress.total_in() as usize;
            let status = compress
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .expect("deflating bytes in memory cannot fail");
            if status == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, UnpackError> {
    let mut decompress = Decompress::new(false);
    decompress
        .set_dictionary(DICTIONARY)
        .map_err(|_| UnpackError::Deflate)?;
    // Straight into the vector's free room, not a zeroed 64 KB buffer per record copied
    // out of. Records unpack to about eight times their packed bytes. The room starts at
    // 1 MB at most and grows by at most 1 MB at a time, so a doctored text is refused
    // before the loader holds much more than `UNPACKED_MAX`.
    const STEP: usize = 1 << 20;
    let mut out = Vec::with_capacity((data.len() * 8 + 64).min(STEP));
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve_exact(out.capacity().min(STEP));
        }
        let (read, written) = (decompress.total_in(), decompress.total_out());
        let status = decompress
            .decompress_vec(&data[read as usize..], &mut out, FlushDecompress::None)
            .map_err(|_| UnpackError::Deflate)?;
        if out.len() > UNPACKED_MAX {
            return Err(UnpackError::TooLarge);
        }
        match status {
            // Bytes after the end of the stream are not something this app wrote.
            Status::StreamEnd if decompress.total_in() as usize == data.len() => return Ok(out),
            Status::StreamEnd => return Err(UnpackError::Deflate),
            // No progress, with room to write, and no end: the text was cut short.
            _ if decompress.total_out() == written && decompress.total_in() == read => {
                return Err(UnpackError::Deflate)
            }
            _ => {}
        }
    }
}

/// Bytes as characters of 15 bits each. The bits end with a 1 and as many 0s as fill the
/// last character, so the byte count needs no length field and each byte string has
/// exactly one spelling.
fn to_chars(bytes: &[u8]) -> String {
    let mut text = String::with_capacity((bytes.len() * 8 / 15 + 1) * 3);
    let mut acc: u32 = 0;
    let mut held = 0;
    let mut push = |acc: &mut u32, held: &mut u32| {
        while *held >= BITS {
            *held -= BITS;
            let unit = (*acc >> *held) & ((1 << BITS) - 1);
            text.push(char::from_u32(BASE + unit).expect("below the surrogates"));
        }
        *acc &= (1 << *held) - 1;
    };
    for &byte in bytes {
        acc = (acc << 8) | u32::from(byte);
        held += 8;
        push(&mut acc, &mut held);
    }
    acc = (acc << 1) | 1;
    held += 1;
    let fill = (BITS - held % BITS) % BITS;
    acc <<= fill;
    held += fill;
    push(&mut acc, &mut held);
    text
}

fn from_chars(text: &str) -> Result<Vec<u8>, UnpackError> {
    let units: Vec<u32> = text
        .chars()
        .map(|c| {
            let unit = u32::from(c).wrapping_sub(BASE);
            (unit < 1 << BITS)
                .then_some(unit)
                .ok_or(UnpackError::Characters)
        })
        .collect::<Result<_, _>>()?;
    let (&last, whole) = units.split_last().ok_or(UnpackError::Padding)?;
    if last == 0 {
        return Err(UnpackError::Padding);
    }
    // The marker is the lowest 1 of the last character; the data bits are above it.
    let fill = last.trailing_zeros() + 1;
    let data_bits = whole.len() * BITS as usize + (BITS - fill) as usize;
    if !data_bits.is_multiple_of(8) {
        return Err(UnpackError::Padding);
    }
    let mut bytes = Vec::with_capacity(data_bits / 8);
    let mut acc: u64 = 0;
    let mut held = 0;
    for (i, &unit) in units.iter().enumerate() {
        let (value, width) = if i == whole.len() {
            (unit >> fill, BITS - fill)
        } else {
            (unit, BITS)
        };
        acc = (acc << width) | u64::from(value);
        held += width;
        while held >= 8 {
            held -= 8;
            bytes.push((acc >> held) as u8);
        }
        acc &= (1 << held) - 1;
    }
    Ok(bytes)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lengths_that_end_on_every_bit_offset_come_back() {
        for n in 0..64 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let text = to_chars(&bytes);
            assert_eq!(from_chars(&text).unwrap(), bytes, "{n} bytes");
            assert_eq!(text.chars().count(), (n * 8) / 15 + 1, "{n} bytes");
        }
    }

    #[test]
    fn a_record_packs_into_far_fewer_characters_than_its_json() {
        let json = String::from_utf8(DICTIONARY.to_vec()).unwrap();
        let packed = pack(&json);
        assert!(packed.chars().count() * 20 < json.len(), "{}", packed.len());
        assert_eq!(unpack(&packed).unwrap(), json);
    }

    #[test]
    fn damage_is_reported_not_panicked_on() {
        let packed = pack(r#"{"a":"some record text that is long enough to compress"}"#);
        let chars: Vec<char> = packed.chars().collect();
        let cut: String = chars[..chars.len() - 2].iter().collect();
        assert!(unpack(&cut).is_err());
        assert_eq!(unpack(""), Err(UnpackError::Padding));
        assert_eq!(unpack("{}"), Err(UnpackError::Characters));
        let zero_last = format!("{}{}", packed, char::from_u32(BASE).unwrap());
        assert_eq!(unpack(&zero_last), Err(UnpackError::Padding));
    }

    #[test]
    fn a_text_packs_alike_whatever_was_packed_before_it() {
        let json = r#"{"agreement":"agmt-1","status":"ACTIVE"}"#;
        let first = pack(json);
        pack(&"x".repeat(100_000));
        pack("");
        assert_eq!(pack(json), first);
        assert_eq!(unpack(&first).as_deref(), Ok(json));
    }

    #[test]
    fn a_bomb_is_refused_before_it_fills_memory() {
        let bomb = to_chars(&deflate(&vec![b'a'; UNPACKED_MAX + 1]));
        assert_eq!(unpack(&bomb), Err(UnpackError::TooLarge));
    }

    proptest! {
        #[test]
        fn any_text_packs_and_unpacks_unchanged(text in ".{0,400}") {
            let packed = pack(&text);
            prop_assert!(packed.chars().all(|c| (0x4E00..=0xCDFF).contains(&u32::from(c))));
            prop_assert_eq!(unpack(&packed).unwrap(), text);
        }

        #[test]
        fn bytes_have_exactly_one_spelling(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = to_chars(&bytes);
            prop_assert_eq!(from_chars(&text).unwrap(), bytes);
        }

        #[test]
        fn any_string_unpacks_or_says_why(text in "\\PC{0,60}", units in proptest::collection::vec(0u32..0x8000, 0..60)) {
            let _ = unpack(&text);
            let spelled: String = units.iter().map(|u| char::from_u32(BASE + u).unwrap()).collect();
            let _ = unpack(&spelled);
        }
    }
}
