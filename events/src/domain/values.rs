//! Values a supporter types: text with limits, integer yen, counts, fiscal years, dates.
//!
//! Parse, don't validate: each type can only hold a valid value, and deserializing checks
//! the same rules as constructing, so a stored event or a command from the API cannot carry
//! a value the domain would refuse. Every refusal says what to fix, in Japanese.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidValue;

/// Characters that look harmless but reorder or hide text (bidi overrides, zero-width marks).
pub(super) fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The text without surrounding spaces, full-width spaces (U+3000) included.
pub(super) fn trim_text(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

fn check_text(text: &str, max: usize, multiline: bool) -> Result<(), InvalidValue> {
    if text.is_empty() {
        return Err(InvalidValue::new("空欄です。内容を入力してください。"));
    }
    let count = text.chars().count();
    if count > max {
        return Err(InvalidValue::new(format!(
            "{max}文字以内で入力してください（現在{count}文字）。"
        )));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if let Some(c) = text
        .chars()
        .find(|&c| (c.is_control() && !allowed(c)) || is_invisible_control(c))
    {
        let what = if c == '\n' || c == '\r' {
            "改行は使えません。1行で入力してください。".to_owned()
        } else {
            format!(
                "制御文字（U+{:04X}）は使えません。取り除いてください。",
                c as u32
            )
        };
        return Err(InvalidValue::new(what));
    }
    Ok(())
}

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, multiline = $multiline:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<const MAX: usize>(String);

        impl<const MAX: usize> $name<MAX> {
            /// The largest number of characters (not bytes) this text may hold.
            pub const MAX_CHARS: usize = MAX;

            pub fn parse(raw: impl AsRef<str>) -> Result<Self, InvalidValue> {
                let raw = raw.as_ref();
                let normalized;
                let text = if $multiline && raw.contains('\r') {
                    // CRLF (Windows) and a lone CR (old Mac software) are both line breaks.
                    normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
                    trim_text(&normalized)
                } else {
                    trim_text(raw)
                };
                check_text(text, MAX, $multiline)?;
                Ok(Self(text.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Length in characters, as a supporter counts them (課題聞き取り力 counts these).
            pub fn chars(&self) -> usize {
                self.0.chars().count()
            }
        }

        impl<const MAX: usize> fmt::Debug for $name<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl<const MAX: usize> fmt::Display for $name<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const MAX: usize> AsRef<str> for $name<MAX> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<const MAX: usize> Serialize for $name<MAX> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de, const MAX: usize> Deserialize<'de> for $name<MAX> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_type!(
    /// One line of text: no line breaks, no control characters, at most `MAX` characters,
    /// trimmed of surrounding spaces (full-width spaces too).
    Line,
    multiline = false
);

text_type!(
    /// Free text that may span lines (tabs and line breaks allowed, CRLF stored as LF); no other
    /// control characters, at most `MAX` characters, trimmed.
    Note,
    multiline = true
);

/// A title or a short label: an issue's title, a measure's name, a KPI's name.
pub type Title = Line<100>;
/// A name of a company, an agency, a place, a unit.
pub type Name = Line<200>;
/// A reason, a summary line, an outcome in a sentence or two.
pub type Reason = Note<2_000>;
/// A note from dialogue, a description, findings of a review.
pub type Text = Note<10_000>;

/// An amount of money in integer yen (may be negative: an operating loss, negative equity).
///
/// Limited to ±10^15 yen (1,000兆円), so that every formula on it is exact in `i128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Yen(i64);

impl Yen {
    pub const LIMIT: i64 = 1_000_000_000_000_000;

    pub fn new(yen: i64) -> Result<Self, InvalidValue> {
        if yen.unsigned_abs() > Self::LIMIT as u64 {
            return Err(InvalidValue::new(
                "金額が大きすぎます。円単位の整数で、±1,000兆円以内で入力してください。",
            ));
        }
        Ok(Self(yen))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", self.0)
    }
}

/// A count of people or things: never negative, at most ten million.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Count(u32);

impl Count {
    pub const MAX: i64 = 10_000_000;

    pub fn new(n: i64) -> Result<Self, InvalidValue> {
        if n < 0 {
            return Err(InvalidValue::new(format!(
                "人数・件数は0以上の整数で入力してください（{n}は負の数です）。"
            )));
        }
        if n > Self::MAX {
            return Err(InvalidValue::new(
                "人数・件数が大きすぎます（1,000万以下）。",
            ));
        }
        Ok(Self(n as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A fiscal year (決算年度), e.g. 2024 for 2024年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalYear(u16);

impl FiscalYear {
    pub const FIRST: i64 = 1900;
    pub const LAST: i64 = 2100;

    pub fn new(year: i64) -> Result<Self, InvalidValue> {
        if !(Self::FIRST..=Self::LAST).contains(&year) {
            return Err(InvalidValue::new(format!(
                "決算年度は西暦で{}から{}までの年を入力してください（{year}は範囲外です）。",
                Self::FIRST,
                Self::LAST
            )));
        }
        Ok(Self(year as u16))
    }

    pub fn get(self) -> u16 {
        self.0
    }

    /// The year before this one (前期), if it is still a valid fiscal year.
    pub fn previous(self) -> Option<Self> {
        Self::new(i64::from(self.0) - 1).ok()
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}年度", self.0)
    }
}

/// A calendar day, written `YYYY-MM-DD` (a visit, a due date, a review date).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(time::Date);

impl Day {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let format = time::format_description::well_known::Iso8601::DATE;
        let bad = || {
            InvalidValue::new(format!(
                "日付「{raw}」を読めません。YYYY-MM-DD の形（例: 2025-04-01）で入力してください。"
            ))
        };
        if raw.len() != 10 {
            return Err(bad());
        }
        let date = time::Date::parse(raw, &format).map_err(|_| bad())?;
        Self::from_date(date)
    }

    /// A day from a calendar date; years outside 1900–2100 are refused as typing mistakes.
    pub fn from_date(date: time::Date) -> Result<Self, InvalidValue> {
        if !(1900..=2100).contains(&date.year()) {
            return Err(InvalidValue::new(format!(
                "日付の年（{}）が範囲外です。1900年から2100年の日付を入力してください。",
                date.year()
            )));
        }
        Ok(Self(date))
    }

    pub fn ymd(year: i32, month: u8, day: u8) -> Result<Self, InvalidValue> {
        let month = time::Month::try_from(month).map_err(|_| {
            InvalidValue::new(format!("月（{month}）は1から12で入力してください。"))
        })?;
        let date = time::Date::from_calendar_date(year, month, day).map_err(|_| {
            InvalidValue::new(format!(
                "{year}年{}月{day}日という日はありません。",
                month as u8
            ))
        })?;
        Self::from_date(date)
    }

    pub fn date(self) -> time::Date {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month() as u8,
            self.0.day()
        )
    }
}

impl fmt::Debug for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A duration in whole minutes, from 1 minute to one day (a dialogue session, a visit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Minutes(u16);

impl Minutes {
    pub fn new(n: i64) -> Result<Self, InvalidValue> {
        if !(1..=24 * 60).contains(&n) {
            return Err(InvalidValue::new(format!(
                "時間は分単位で1から1440（24時間）までの整数で入力してください（{n}は範囲外です）。"
            )));
        }
        Ok(Self(n as u16))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

/// A measured or targeted quantity of a KPI (管理指標), in the KPI's own unit: finite, at most
/// ±10^15, so that comparisons and differences are always defined.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(f64);

impl Quantity {
    pub const LIMIT: f64 = 1e15;

    pub fn new(value: f64) -> Result<Self, InvalidValue> {
        if !value.is_finite() || value.abs() > Self::LIMIT {
            return Err(InvalidValue::new(
                "数値として読めないか、大きすぎます（±1,000兆以内の数で入力してください）。",
            ));
        }
        // -0.0 and 0.0 are one quantity.
        Ok(Self(if value == 0.0 { 0.0 } else { value }))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A share of progress, 0 to 100 percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(u8);

impl Percent {
    pub fn new(n: i64) -> Result<Self, InvalidValue> {
        if !(0..=100).contains(&n) {
            return Err(InvalidValue::new(format!(
                "進捗率は0から100までの整数（%）で入力してください（{n}は範囲外です）。"
            )));
        }
        Ok(Self(n as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// Integer newtypes travel as plain numbers; deserializing goes through `new`, so a stored or
/// sent value meets the same rules as a typed one.
macro_rules! integer_serde {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.get().serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

integer_serde!(Yen, Count, FiscalYear, Minutes, Percent);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_including_full_width_spaces() {
        let t = Title::parse("\u{3000} 売上の見える化 ").unwrap();
        assert_eq!(t.as_str(), "売上の見える化");
    }

    #[test]
    fn empty_text_is_refused() {
        let err = Title::parse(" \u{3000}").unwrap_err();
        assert!(err.message.contains("空欄"), "{err}");
    }

    #[test]
    fn text_length_is_counted_in_characters_not_bytes() {
        let ok: String = "あ".repeat(100);
        assert!(Title::parse(&ok).is_ok());
        let err = Title::parse("あ".repeat(101)).unwrap_err();
        assert!(err.message.contains("100文字以内"), "{err}");
        assert!(err.message.contains("101文字"), "{err}");
    }

    #[test]
    fn one_line_text_refuses_line_breaks_and_control_characters() {
        assert!(
            Title::parse("一行目\n二行目")
                .unwrap_err()
                .message
                .contains("改行")
        );
        assert!(
            Title::parse("ベル\u{7}")
                .unwrap_err()
                .message
                .contains("U+0007")
        );
        assert!(
            Title::parse("右から\u{202E}左")
                .unwrap_err()
                .message
                .contains("U+202E")
        );
    }

    #[test]
    fn notes_keep_line_breaks_and_normalize_crlf() {
        let n = Text::parse("強み：加工精度\r\n弱み：営業").unwrap();
        assert_eq!(n.as_str(), "強み：加工精度\n弱み：営業");
        assert!(Text::parse("NUL\u{0}").is_err());
        assert_eq!(
            Text::parse("一行目\r二行目").unwrap().as_str(),
            "一行目\n二行目"
        );
    }

    #[test]
    fn deserializing_applies_the_same_rules() {
        assert!(serde_json::from_str::<Title>("\"\"").is_err());
        assert!(serde_json::from_str::<Count>("-1").is_err());
        assert!(serde_json::from_str::<Yen>("1.5").is_err());
        assert!(serde_json::from_str::<Day>("\"2025-02-30\"").is_err());
        assert_eq!(
            serde_json::from_str::<Day>("\"2025-04-01\"").unwrap(),
            Day::ymd(2025, 4, 1).unwrap()
        );
    }

    #[test]
    fn counts_are_not_negative() {
        let err = Count::new(-3).unwrap_err();
        assert!(err.message.contains("0以上"), "{err}");
        assert_eq!(Count::new(12).unwrap().get(), 12);
    }

    #[test]
    fn yen_is_bounded_and_may_be_negative() {
        assert_eq!(Yen::new(-5_000_000).unwrap().get(), -5_000_000);
        assert!(Yen::new(i64::MAX).is_err());
        assert!(Yen::new(i64::MIN).is_err());
        assert!(serde_json::from_str::<Yen>("-9223372036854775808").is_err());
    }

    #[test]
    fn days_print_and_parse_as_iso_dates() {
        let d = Day::parse("2024-12-05").unwrap();
        assert_eq!(d.to_string(), "2024-12-05");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-12-05\"");
        assert!(
            Day::parse("2024/12/05")
                .unwrap_err()
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(Day::parse("1800-01-01").is_err());
        assert_eq!(d.days_until(Day::parse("2025-01-04").unwrap()), 30);
    }

    #[test]
    fn fiscal_years_have_a_previous_year() {
        let y = FiscalYear::new(2024).unwrap();
        assert_eq!(y.previous(), Some(FiscalYear::new(2023).unwrap()));
        assert!(FiscalYear::new(24).is_err());
    }
}
