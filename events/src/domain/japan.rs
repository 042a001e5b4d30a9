//! Values for Japanese companies and people: 法人番号, 都道府県, 産業分類, フリガナ, 氏名, contacts.
//!
//! Same rules as [`super::values`]: parse, don't validate; deserializing checks what parsing
//! checks; every refusal says, in Japanese, what to fix. Input is forgiving where an IME makes
//! it easy to slip (full-width digits, hiragana in a フリガナ, 「ー」 for a hyphen), and what is
//! stored is one canonical form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidValue;
use super::values::{Line, is_invisible_control, trim_text};

/// Serialize as a string (from `$to_str`) and deserialize through `parse`, so a stored event
/// cannot carry a value `parse` would refuse.
macro_rules! serde_as_string {
    ($ty:ty, $to_str:ident) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.$to_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

macro_rules! display_as {
    ($ty:ty, $to_str:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.$to_str(), f)
            }
        }
    };
}

/// An ASCII or full-width digit as an ASCII digit.
fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// What people type for a hyphen: ASCII, full-width, the long-vowel mark, minus, dash.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '－' | 'ー' | 'ｰ' | '−' | '‐')
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}'
}

/// Control characters, spaces, and marks that hide or reorder text (zero-width, bidi).
fn is_unseen(c: char) -> bool {
    c.is_control() || c.is_whitespace() || is_invisible_control(c)
}

/// A character named in a message: shown as it is, or as a code point if it cannot be seen.
fn describe(c: char) -> String {
    if is_unseen(c) {
        format!("（U+{:04X}）", c as u32)
    } else {
        format!("「{c}」")
    }
}

// ---------------------------------------------------------------------------------------------

/// 法人番号: the 13-digit number the National Tax Agency gives every corporation.
///
/// The first digit is a check digit over the other twelve, so most typos are caught here.
/// Stored as 13 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Accepts ASCII or full-width digits; hyphens and spaces between them are ignored.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let mut digits = String::with_capacity(13);
        for c in raw.chars() {
            if is_hyphen(c) || is_space(c) {
                continue;
            }
            let Some(d) = ascii_digit(c) else {
                return Err(InvalidValue::new(format!(
                    "法人番号に数字以外の文字{}があります。13桁の数字で入力してください。",
                    describe(c)
                )));
            };
            digits.push(d);
        }
        if digits.is_empty() {
            return Err(InvalidValue::new(
                "空欄です。法人番号（13桁の数字）を入力してください。",
            ));
        }
        if digits.len() != 13 {
            return Err(InvalidValue::new(format!(
                "法人番号は13桁です（入力は{}桁）。桁の抜けや余分な数字がないか確かめてください。",
                digits.len()
            )));
        }
        let expected = check_digit(&digits.as_bytes()[1..]);
        if digits.as_bytes()[0] != expected {
            return Err(InvalidValue::new(format!(
                "法人番号の先頭の数字（チェックデジット）が合いません。後ろの12桁からは先頭が「{}」になるはずです（入力は「{}」）。打ち間違いがないか確かめてください。",
                expected as char,
                &digits[..1]
            )));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit (as an ASCII byte) for the 12-digit base, given as ASCII digits:
/// 9 − (Σ Pn × Qn mod 9), Pn counted from the right, Qn = 1 for odd n and 2 for even n.
fn check_digit(base: &[u8]) -> u8 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    b'0' + (9 - sum % 9) as u8
}

display_as!(CorporateNumber, as_str);
serde_as_string!(CorporateNumber, as_str);

// ---------------------------------------------------------------------------------------------

macro_rules! prefectures {
    ($($variant:ident = $code:literal $name:literal,)*) => {
        /// 都道府県, numbered by their JIS X 0401 codes (北海道 = 1 … 沖縄県 = 47).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Prefecture {
            $($variant = $code,)*
        }

        impl Prefecture {
            /// All 47, in code order.
            pub const ALL: [Self; 47] = [$(Self::$variant,)*];

            /// The full name: 「埼玉県」「東京都」「北海道」.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

prefectures! {
    Hokkaido = 1 "北海道", Aomori = 2 "青森県", Iwate = 3 "岩手県", Miyagi = 4 "宮城県",
    Akita = 5 "秋田県", Yamagata = 6 "山形県", Fukushima = 7 "福島県", Ibaraki = 8 "茨城県",
    Tochigi = 9 "栃木県", Gunma = 10 "群馬県", Saitama = 11 "埼玉県", Chiba = 12 "千葉県",
    Tokyo = 13 "東京都", Kanagawa = 14 "神奈川県", Niigata = 15 "新潟県", Toyama = 16 "富山県",
    Ishikawa = 17 "石川県", Fukui = 18 "福井県", Yamanashi = 19 "山梨県", Nagano = 20 "長野県",
    Gifu = 21 "岐阜県", Shizuoka = 22 "静岡県", Aichi = 23 "愛知県", Mie = 24 "三重県",
    Shiga = 25 "滋賀県", Kyoto = 26 "京都府", Osaka = 27 "大阪府", Hyogo = 28 "兵庫県",
    Nara = 29 "奈良県", Wakayama = 30 "和歌山県", Tottori = 31 "鳥取県", Shimane = 32 "島根県",
    Okayama = 33 "岡山県", Hiroshima = 34 "広島県", Yamaguchi = 35 "山口県",
    Tokushima = 36 "徳島県", Kagawa = 37 "香川県", Ehime = 38 "愛媛県", Kochi = 39 "高知県",
    Fukuoka = 40 "福岡県", Saga = 41 "佐賀県", Nagasaki = 42 "長崎県", Kumamoto = 43 "熊本県",
    Oita = 44 "大分県", Miyazaki = 45 "宮崎県", Kagoshima = 46 "鹿児島県", Okinawa = 47 "沖縄県",
}

impl Prefecture {
    /// The JIS X 0401 code, 1 to 47.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Parses the full name (「埼玉県」), the name without 都・府・県 (「埼玉」「東京」「京都」), or
    /// the code (「11」, 「01」 or 「1」, full-width digits too).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = trim_text(raw);
        if text.is_empty() {
            return Err(InvalidValue::new(
                "空欄です。都道府県名（例: 埼玉県）を入力してください。",
            ));
        }
        let by_name = Self::ALL.into_iter().find(|p| {
            let name = p.name();
            text == name || Some(text) == name.strip_suffix(['都', '府', '県'])
        });
        let by_code = || {
            let digits: Option<String> = text.chars().map(ascii_digit).collect();
            let code: u8 = digits.filter(|d| d.len() <= 2)?.parse().ok()?;
            Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
        };
        by_name.or_else(by_code).ok_or_else(|| {
            InvalidValue::new(format!(
                "都道府県「{text}」が見つかりません。都道府県名（例: 埼玉県）か2桁のコード（例: 11）で入力してください。"
            ))
        })
    }
}

display_as!(Prefecture, name);
serde_as_string!(Prefecture, name);

// ---------------------------------------------------------------------------------------------

macro_rules! industries {
    ($($variant:ident = $code:literal $label:literal,)*) => {
        /// 産業分類: a major division (大分類) of the Japan Standard Industrial Classification,
        /// A to T. Serialized as its letter.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Industry {
            $($variant,)*
        }

        impl Industry {
            /// All 20, in letter order.
            pub const ALL: [Self; 20] = [$(Self::$variant,)*];

            /// The letter, 'A' to 'T'.
            pub fn code(self) -> char {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The name as JSIC writes it: 「製造業」「卸売業，小売業」.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }
        }
    };
}

industries! {
    Agriculture = 'A' "農業，林業",
    Fisheries = 'B' "漁業",
    Mining = 'C' "鉱業，採石業，砂利採取業",
    Construction = 'D' "建設業",
    Manufacturing = 'E' "製造業",
    Utilities = 'F' "電気・ガス・熱供給・水道業",
    InformationCommunications = 'G' "情報通信業",
    TransportPostal = 'H' "運輸業，郵便業",
    WholesaleRetail = 'I' "卸売業，小売業",
    FinanceInsurance = 'J' "金融業，保険業",
    RealEstateRental = 'K' "不動産業，物品賃貸業",
    ProfessionalServices = 'L' "学術研究，専門・技術サービス業",
    AccommodationFood = 'M' "宿泊業，飲食サービス業",
    LivingEntertainment = 'N' "生活関連サービス業，娯楽業",
    Education = 'O' "教育，学習支援業",
    MedicalWelfare = 'P' "医療，福祉",
    CompoundServices = 'Q' "複合サービス事業",
    OtherServices = 'R' "サービス業（他に分類されないもの）",
    Government = 'S' "公務（他に分類されるものを除く）",
    Unclassifiable = 'T' "分類不能の産業",
}

impl Industry {
    /// Parses the letter (either case, full-width too) or the label; in a label 「、」 or 「,」
    /// may stand for JSIC's 「，」.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = trim_text(raw);
        let mut chars = text.chars();
        let letter = match (chars.next(), chars.next()) {
            (Some(c @ ('Ａ'..='Ｚ' | 'ａ'..='ｚ')), None) => char::from_u32(c as u32 - 0xFEE0),
            (Some(c), None) => Some(c),
            _ => None,
        }
        .map(|c| c.to_ascii_uppercase());
        let label = text.replace(['、', ','], "，");
        Self::ALL
            .into_iter()
            .find(|i| Some(i.code()) == letter || i.label() == label)
            .ok_or_else(|| {
                InvalidValue::new(format!(
                    "産業分類「{text}」が見つかりません。日本標準産業分類の大分類の記号（A〜T、例: E）か名称（例: 製造業）で入力してください。"
                ))
            })
    }
}

display_as!(Industry, label);
serde_as_string!(Industry, code);

// ---------------------------------------------------------------------------------------------

/// フリガナ: katakana, at most 200 characters, trimmed.
///
/// Hiragana and half-width katakana are turned into full-width katakana (with their ﾞ and ﾟ
/// joined to the letter before), and full-width letters and digits into ASCII. Besides
/// katakana it allows 「ー」「・」, spaces, ASCII letters and digits, and 「（）()＆&.-」.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kana(String);

impl Kana {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = trim_text(raw);
        if text.is_empty() {
            return Err(InvalidValue::new(
                "空欄です。フリガナをカタカナで入力してください。",
            ));
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if let Some(mark) = voicing_mark(c) {
                let Some(voiced) = out.pop().and_then(|prev| voice(prev, mark)) else {
                    return Err(InvalidValue::new(format!(
                        "濁点・半濁点{}を付けられる文字が前にありません。「ガ」「パ」のように1文字で入力してください。",
                        describe(c)
                    )));
                };
                out.push(voiced);
                continue;
            }
            let k = to_katakana(c);
            if !is_kana_allowed(k) {
                return Err(InvalidValue::new(format!(
                    "フリガナに使えない文字{}があります。カタカナで入力してください（ひらがなはカタカナに直します）。",
                    describe(c)
                )));
            }
            out.push(k);
        }
        let count = out.chars().count();
        if count > Self::MAX_CHARS {
            return Err(InvalidValue::new(format!(
                "フリガナは{}文字以内で入力してください（現在{count}文字）。",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Half-width katakana U+FF61 ..= U+FF9D, in order, as full-width characters.
const HALF_WIDTH_KANA: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// The full-width form of a half-width katakana or punctuation mark (ｶ → カ, ｰ → ー), if `c`
/// is one. The voicing marks ﾞ and ﾟ are not: see [`voicing_mark`].
pub fn full_width_kana(c: char) -> Option<char> {
    match c {
        '\u{FF61}'..='\u{FF9D}' => HALF_WIDTH_KANA.chars().nth((c as u32 - 0xFF61) as usize),
        _ => None,
    }
}

fn to_katakana(c: char) -> char {
    let code = c as u32;
    let mapped = match c {
        'ぁ'..='ゖ' | 'ゝ' | 'ゞ' => char::from_u32(code + 0x60),
        '\u{FF61}'..='\u{FF9D}' => full_width_kana(c),
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(code - 0xFEE0),
        _ => None,
    };
    mapped.unwrap_or(c)
}

/// A voicing mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Voicing {
    /// 濁点 ゛
    Dakuten,
    /// 半濁点 ゜
    Handakuten,
}

/// Half-width, combining and spacing forms of ゛ and ゜.
pub fn voicing_mark(c: char) -> Option<Voicing> {
    match c {
        '\u{FF9E}' | '\u{3099}' | '\u{309B}' => Some(Voicing::Dakuten),
        '\u{FF9F}' | '\u{309A}' | '\u{309C}' => Some(Voicing::Handakuten),
        _ => None,
    }
}

/// The katakana with the mark joined (カ + ゛ = ガ), if there is one.
pub fn voice(c: char, mark: Voicing) -> Option<char> {
    // In Unicode the voiced letter follows its plain one, and the semi-voiced follows that.
    let (letters, step) = match mark {
        Voicing::Dakuten if c == 'ウ' => return Some('ヴ'),
        Voicing::Dakuten => ("カキクケコサシスセソタチツテトハヒフヘホ", 1),
        Voicing::Handakuten => ("ハヒフヘホ", 2),
    };
    letters
        .contains(c)
        .then(|| char::from_u32(c as u32 + step))
        .flatten()
}

fn is_kana_allowed(c: char) -> bool {
    // ァ (U+30A1) ..= ヾ (U+30FE) holds every katakana letter, 「・」 and 「ー」.
    matches!(
        c,
        'ァ'..='ヾ' | ' ' | '\u{3000}' | '（' | '）' | '(' | ')' | '＆' | '&' | '.' | '-'
    ) || c.is_ascii_alphanumeric()
}

display_as!(Kana, as_str);
serde_as_string!(Kana, as_str);

// ---------------------------------------------------------------------------------------------

/// 氏名: a person's name, one line of at most 100 characters. Personal data: keep it out of
/// logs and anything shared beyond the case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(Line<100>);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        Line::parse(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

display_as!(PersonName, as_str);
serde_as_string!(PersonName, as_str);

/// 市区町村: a city, ward, town or village, one line of at most 40 characters (「府中市」,
/// 「西多摩郡奥多摩町」). No rule on how it ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Municipality(Line<40>);

impl Municipality {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        Line::parse(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

display_as!(Municipality, as_str);
serde_as_string!(Municipality, as_str);

// ---------------------------------------------------------------------------------------------

/// An e-mail address, checked only for its shape: one 「@」 with something before it and a
/// domain with a dot after it, no spaces, at most 254 characters. The domain is lowercased;
/// the part before 「@」 is kept as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = trim_text(raw);
        if text.is_empty() {
            return Err(InvalidValue::new(
                "空欄です。メールアドレスを入力してください。",
            ));
        }
        let count = text.chars().count();
        if count > Self::MAX_CHARS {
            return Err(InvalidValue::new(format!(
                "メールアドレスは{}文字以内で入力してください（現在{count}文字）。",
                Self::MAX_CHARS
            )));
        }
        if let Some(c) = text.chars().find(|&c| is_unseen(c)) {
            return Err(InvalidValue::new(format!(
                "メールアドレスに空白や見えない文字{}は使えません。取り除いてください。",
                describe(c)
            )));
        }
        let Some((local, domain)) = text.split_once('@') else {
            let hint = if text.contains('＠') {
                "全角の「＠」は半角の「@」にしてください。"
            } else {
                "「@」がありません。"
            };
            return Err(InvalidValue::new(format!(
                "{hint}例: info@example.co.jp の形で入力してください。"
            )));
        };
        if domain.contains('@') {
            return Err(InvalidValue::new(
                "「@」が2つ以上あります。メールアドレスを1件だけ入力してください。",
            ));
        }
        if local.is_empty() {
            return Err(InvalidValue::new(
                "「@」の前が空です。例: info@example.co.jp の形で入力してください。",
            ));
        }
        if !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(InvalidValue::new(format!(
                "「@」の後ろ（ドメイン）「{domain}」が正しくありません。例: example.co.jp の形で入力してください。"
            )));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before 「@」.
    pub fn local(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The part after 「@」, lowercased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

display_as!(Email, as_str);
serde_as_string!(Email, as_str);

// ---------------------------------------------------------------------------------------------

/// A telephone number as typed (「03-1234-5678」「+81 3 1234 5678」「(03)1234-5678」), turned
/// into ASCII: full-width digits, hyphens, spaces, 「＋」 and parentheses become half-width, and
/// 「ー」 becomes 「-」. It must hold 10 to 15 digits; 「+」 may only come first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = trim_text(raw);
        if text.is_empty() {
            return Err(InvalidValue::new(
                "空欄です。電話番号を入力してください（例: 03-1234-5678）。",
            ));
        }
        let mut out = String::with_capacity(text.len());
        let mut digits = 0;
        for c in text.chars() {
            let ascii = match c {
                _ if is_hyphen(c) => '-',
                _ if is_space(c) => ' ',
                '(' | '（' => '(',
                ')' | '）' => ')',
                '+' | '＋' if out.is_empty() => '+',
                '+' | '＋' => {
                    return Err(InvalidValue::new(
                        "「+」は先頭（国番号の前）にだけ付けられます（例: +81 3 1234 5678）。",
                    ));
                }
                _ => match ascii_digit(c) {
                    Some(d) => {
                        digits += 1;
                        d
                    }
                    None => {
                        return Err(InvalidValue::new(format!(
                            "電話番号に使えない文字{}があります。数字とハイフンで入力してください（例: 03-1234-5678）。",
                            describe(c)
                        )));
                    }
                },
            };
            out.push(ascii);
        }
        if !(10..=15).contains(&digits) {
            return Err(InvalidValue::new(format!(
                "電話番号の桁数が合いません（数字が{digits}桁）。市外局番から10〜15桁で入力してください（例: 03-1234-5678）。"
            )));
        }
        Ok(Self(out))
    }

    /// The number as typed, in ASCII.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the digits (no 「+」, hyphens, spaces or parentheses): for comparing and dialing.
    pub fn digits(&self) -> String {
        self.0.chars().filter(char::is_ascii_digit).collect()
    }
}

display_as!(Phone, as_str);
serde_as_string!(Phone, as_str);

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `result` is a refusal whose message contains `want`.
    #[track_caller]
    fn refused<T: fmt::Debug>(result: Result<T, InvalidValue>, want: &str) {
        let err = result.unwrap_err();
        assert!(err.message.contains(want), "「{want}」がない: {err}");
    }

    fn kana(raw: &str) -> String {
        Kana::parse(raw).unwrap().as_str().to_owned()
    }

    #[test]
    fn real_corporate_numbers_are_accepted() {
        // 国税庁 and トヨタ自動車株式会社, as published on the 法人番号公表サイト.
        for n in ["7000012050002", "1180301018771"] {
            assert_eq!(CorporateNumber::parse(n).unwrap().as_str(), n);
        }
    }

    #[test]
    fn corporate_numbers_accept_full_width_digits_hyphens_and_spaces() {
        let n = CorporateNumber::parse(" ７－０００ー０１２０\u{3000}５０-００２ ").unwrap();
        assert_eq!(n.as_str(), "7000012050002");
        assert_eq!(n.to_string(), "7000012050002");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"7000012050002\"");
    }

    #[test]
    fn computed_check_digits_are_accepted() {
        for base in [
            "000000000000",
            "123456789012",
            "999999999999",
            "301020304050",
        ] {
            let n = format!("{}{base}", check_digit(base.as_bytes()) as char);
            assert!(CorporateNumber::parse(&n).is_ok(), "{n}");
        }
    }

    #[test]
    fn a_one_digit_typo_is_refused_with_the_expected_check_digit() {
        // 7000012050002 with its 9th digit 5 typed as 6: the base now asks for 6, not 7.
        assert_eq!(check_digit(b"000012060002"), b'6');
        refused(CorporateNumber::parse("7000012060002"), "「6」になるはず");
        // A typo in the check digit itself.
        let err = CorporateNumber::parse("8000012050002").unwrap_err();
        assert!(
            err.message.contains("「7」になるはずです（入力は「8」）"),
            "{err}"
        );
    }

    #[test]
    fn corporate_numbers_of_the_wrong_length_or_with_letters_are_refused() {
        refused(CorporateNumber::parse("700001205000"), "入力は12桁");
        refused(CorporateNumber::parse("70000120500021"), "入力は14桁");
        refused(CorporateNumber::parse("7000O12050002"), "「O」");
        refused(CorporateNumber::parse(" "), "空欄");
        assert!(serde_json::from_str::<CorporateNumber>("\"7000012050003\"").is_err());
    }

    #[test]
    fn prefectures_are_numbered_by_jis_code() {
        for (i, p) in Prefecture::ALL.iter().enumerate() {
            assert_eq!(usize::from(p.code()), i + 1, "{p}");
        }
        assert_eq!(Prefecture::Hokkaido.name(), "北海道");
        assert_eq!(Prefecture::Saitama.code(), 11);
        assert_eq!(Prefecture::Tokyo.name(), "東京都");
        assert_eq!(Prefecture::Okinawa.code(), 47);
    }

    #[test]
    fn prefectures_parse_from_full_name_short_name_or_code() {
        use Prefecture::*;
        let cases = [
            ("埼玉県", Saitama),
            ("埼玉", Saitama),
            ("11", Saitama),
            ("１１", Saitama),
            ("東京", Tokyo),
            ("大阪府", Osaka),
            ("京都", Kyoto),
            ("北海道", Hokkaido),
            ("01", Hokkaido),
            ("1", Hokkaido),
            ("\u{3000}沖縄県 ", Okinawa),
        ];
        for (raw, want) in cases {
            assert_eq!(Prefecture::parse(raw), Ok(want), "{raw}");
        }
        for p in Prefecture::ALL {
            assert_eq!(Prefecture::parse(p.name()), Ok(p));
        }
    }

    #[test]
    fn unknown_prefectures_are_refused_with_an_example() {
        for raw in ["埼玉けん", "0", "48", "北海", "東京都庁", "011"] {
            refused(Prefecture::parse(raw), "例: 埼玉県");
        }
        refused(Prefecture::parse(""), "空欄");
    }

    #[test]
    fn prefectures_serialize_as_their_full_name() {
        let json = serde_json::to_string(&Prefecture::Saitama).unwrap();
        assert_eq!(json, "\"埼玉県\"");
        let back: Prefecture = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Prefecture::Saitama);
        assert!(serde_json::from_str::<Prefecture>("11").is_err());
    }

    #[test]
    fn industries_run_from_a_to_t() {
        let codes: String = Industry::ALL.iter().map(|i| i.code()).collect();
        assert_eq!(codes, "ABCDEFGHIJKLMNOPQRST");
        assert_eq!(Industry::Manufacturing.label(), "製造業");
        assert_eq!(Industry::Manufacturing.to_string(), "製造業");
    }

    #[test]
    fn industries_parse_from_letter_or_label() {
        use Industry::*;
        let cases = [
            ("E", Manufacturing),
            ("e", Manufacturing),
            ("Ｅ", Manufacturing),
            ("ｅ", Manufacturing),
            (" E ", Manufacturing),
            ("製造業", Manufacturing),
            ("卸売業，小売業", WholesaleRetail),
            ("卸売業、小売業", WholesaleRetail),
            ("サービス業（他に分類されないもの）", OtherServices),
        ];
        for (raw, want) in cases {
            assert_eq!(Industry::parse(raw), Ok(want), "{raw}");
        }
        for i in Industry::ALL {
            assert_eq!(Industry::parse(i.label()), Ok(i));
        }
    }

    #[test]
    fn unknown_industries_are_refused() {
        for raw in ["U", "EE", "製造", ""] {
            refused(Industry::parse(raw), "A〜T");
        }
    }

    #[test]
    fn industries_serialize_as_their_letter() {
        let json = serde_json::to_string(&Industry::InformationCommunications).unwrap();
        assert_eq!(json, "\"G\"");
        let back: Industry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Industry::InformationCommunications);
    }

    #[test]
    fn kana_accepts_katakana_and_turns_hiragana_into_katakana() {
        assert_eq!(kana("カブシキガイシャ"), "カブシキガイシャ");
        assert_eq!(kana(" やまだ\u{3000}たろう "), "ヤマダ\u{3000}タロウ");
        assert_eq!(kana("ゔぁいおりん"), "ヴァイオリン");
        assert_eq!(kana("か\u{3099}っこう"), "ガッコウ");
    }

    #[test]
    fn kana_turns_half_width_katakana_into_full_width() {
        assert_eq!(kana("ﾔﾏﾀﾞ ﾊﾟﾝ"), "ヤマダ パン");
        assert_eq!(kana("ｳﾞｨｰﾅｽ･ｺｰﾋｰ"), "ヴィーナス・コーヒー");
        refused(Kana::parse("ｱﾞ"), "濁点");
        refused(Kana::parse("ﾟ"), "濁点");
    }

    #[test]
    fn kana_allows_letters_digits_and_a_few_symbols() {
        let k = kana("エービーシー（ABC）&ｺｳｷﾞｮｳ No.1 - ＸＹＺ");
        assert_eq!(k, "エービーシー（ABC）&コウギョウ No.1 - XYZ");
    }

    #[test]
    fn kana_refuses_kanji_and_other_symbols_naming_the_first() {
        refused(Kana::parse("ヤマダ太郎"), "「太」");
        refused(Kana::parse("ヤマダ｡"), "「｡」");
        refused(Kana::parse("ヤマダ!"), "「!」");
        refused(Kana::parse("ヤマダ\tタロウ"), "U+0009");
        refused(Kana::parse("\u{3000}"), "空欄");
    }

    #[test]
    fn kana_is_at_most_200_characters_after_conversion() {
        assert!(Kana::parse(&"ア".repeat(200)).is_ok());
        assert!(Kana::parse(&"ｶﾞ".repeat(200)).is_ok());
        refused(
            Kana::parse(&"あ".repeat(201)),
            "200文字以内で入力してください（現在201文字）",
        );
        assert!(serde_json::from_str::<Kana>("\"山田\"").is_err());
        let back: Kana = serde_json::from_str("\"やまだ\"").unwrap();
        assert_eq!(back.as_str(), "ヤマダ");
    }

    #[test]
    fn person_names_are_one_trimmed_line_of_at_most_100_characters() {
        let n = PersonName::parse("\u{3000}山田 太郎 ").unwrap();
        assert_eq!(n.as_str(), "山田 太郎");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"山田 太郎\"");
        assert!(PersonName::parse(&"山".repeat(100)).is_ok());
        refused(PersonName::parse(&"山".repeat(101)), "100文字");
        refused(PersonName::parse("山田\n太郎"), "改行");
        refused(PersonName::parse(""), "空欄");
        assert!(serde_json::from_str::<PersonName>("\" \"").is_err());
    }

    #[test]
    fn municipalities_are_one_line_of_at_most_40_characters() {
        let m = Municipality::parse(" 西多摩郡奥多摩町 ").unwrap();
        assert_eq!(m.as_str(), "西多摩郡奥多摩町");
        assert_eq!(Municipality::parse("府中市").unwrap().to_string(), "府中市");
        refused(Municipality::parse(&"市".repeat(41)), "40文字");
        refused(Municipality::parse("さいたま市\n浦和区"), "改行");
    }

    #[test]
    fn emails_are_checked_for_shape_and_the_domain_is_lowercased() {
        let e = Email::parse(" Taro.Yamada@Example.CO.JP ").unwrap();
        assert_eq!(e.as_str(), "Taro.Yamada@example.co.jp");
        assert_eq!(e.local(), "Taro.Yamada");
        assert_eq!(e.domain(), "example.co.jp");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, "\"Taro.Yamada@example.co.jp\"");
    }

    #[test]
    fn malformed_emails_are_refused_with_what_to_fix() {
        let cases = [
            ("taro.example.jp", "「@」がありません"),
            ("taro＠example.jp", "全角の「＠」"),
            ("a@b@example.jp", "2つ以上"),
            ("@example.jp", "「@」の前"),
            ("taro@localhost", "ドメイン"),
            ("taro@example..jp", "ドメイン"),
            ("taro@.example.jp", "ドメイン"),
            ("taro yamada@example.jp", "空白"),
            ("taro@example.jp\u{3000}x", "U+3000"),
            ("taro\u{200B}@example.jp", "U+200B"),
            ("", "空欄"),
        ];
        for (raw, want) in cases {
            refused(Email::parse(raw), want);
        }
        refused(
            Email::parse(&format!("{}@example.jp", "a".repeat(250))),
            "254文字",
        );
        assert!(serde_json::from_str::<Email>("\"taro\"").is_err());
    }

    #[test]
    fn phones_keep_their_layout_in_ascii() {
        let cases = [
            ("03-1234-5678", "03-1234-5678", "0312345678"),
            ("０９０ー１２３４ー５６７８", "090-1234-5678", "09012345678"),
            ("（03）1234－5678", "(03)1234-5678", "0312345678"),
            ("＋81\u{3000}3 1234 5678", "+81 3 1234 5678", "81312345678"),
            ("0120-123-456", "0120-123-456", "0120123456"),
        ];
        for (raw, stored, digits) in cases {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.as_str(), stored, "{raw}");
            assert_eq!(p.digits(), digits, "{raw}");
        }
        let json = serde_json::to_string(&Phone::parse("03-1234-5678").unwrap()).unwrap();
        assert_eq!(json, "\"03-1234-5678\"");
    }

    #[test]
    fn phones_need_10_to_15_digits_and_no_other_characters() {
        refused(Phone::parse("1234-5678"), "数字が8桁");
        refused(Phone::parse("+81-90-1234-5678-9012"), "数字が16桁");
        refused(Phone::parse("03-1234-5678 内線12"), "「内」");
        refused(Phone::parse("03+1234-5678"), "先頭");
        refused(Phone::parse(""), "空欄");
        assert!(serde_json::from_str::<Phone>("\"110\"").is_err());
    }
}
