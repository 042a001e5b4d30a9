//! The Local Benchmark (ローカルベンチマーク, ロカベン): the six financial indicators, the commercial and
//! business flows, the four non-financial perspectives and the summary, plus the other free tools
//! supporters use beside it (経営デザインシート, 知的資産経営).
//!
//! The indicators are computed in exact integer arithmetic (`i128` on integer yen) and turned into
//! an `f64` by one division at the end, so the same statements always give the same numbers. Every
//! edge case gives a defined answer: a finite number, or [`NotMeaningful`] with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidValue;
use super::values::{Count, Day, FiscalYear, Name, Text, Title, Yen};

/// A refusal with the path of the part to fix (`net_assets`, `steps[2]`, `customers[0].name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub error: InvalidValue,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            error: InvalidValue::new(message),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

impl std::error::Error for FieldError {}

/// `1234567` → `1,234,567円` (for messages).
fn yen_text(yen: i64) -> String {
    let digits = yen.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    if yen < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out.push('円');
    out
}

// ---------------------------------------------------------------------------------------------
// Financial statements and the six indicators
// ---------------------------------------------------------------------------------------------

/// The figures of one fiscal year's financial statements (決算書) that the six indicators use.
///
/// The fiscal year itself is not a field: the caller keys statements by [`FiscalYear`] (see
/// [`indicators_by_year`]). Check [`FinancialStatements::validate`] before accepting them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancialStatements {
    /// 売上高
    pub sales: Yen,
    /// 営業利益 (negative: 営業赤字)
    pub operating_profit: Yen,
    /// 減価償却費
    pub depreciation: Yen,
    /// 借入金 (interest-bearing debt)
    pub borrowings: Yen,
    /// 現預金
    pub cash_and_deposits: Yen,
    /// 売掛金
    pub accounts_receivable: Yen,
    /// 受取手形
    pub notes_receivable: Yen,
    /// 棚卸資産
    pub inventory: Yen,
    /// 買掛金
    pub accounts_payable: Yen,
    /// 支払手形
    pub notes_payable: Yen,
    /// 純資産 (negative: 債務超過)
    pub net_assets: Yen,
    /// 総資産
    pub total_assets: Yen,
    /// 従業員数
    pub employees: Count,
}

impl FinancialStatements {
    /// The amounts that can never be negative in a balance sheet or income statement.
    fn non_negative_amounts(&self) -> [(&'static str, &'static str, Yen); 10] {
        [
            ("sales", "売上高", self.sales),
            ("depreciation", "減価償却費", self.depreciation),
            ("borrowings", "借入金", self.borrowings),
            ("cash_and_deposits", "現預金", self.cash_and_deposits),
            ("accounts_receivable", "売掛金", self.accounts_receivable),
            ("notes_receivable", "受取手形", self.notes_receivable),
            ("inventory", "棚卸資産", self.inventory),
            ("accounts_payable", "買掛金", self.accounts_payable),
            ("notes_payable", "支払手形", self.notes_payable),
            ("total_assets", "総資産", self.total_assets),
        ]
    }

    /// Every figure that cannot be right, each with its field. Operating profit and net assets
    /// may be negative (営業赤字, 債務超過); the others may not, and net assets cannot exceed total
    /// assets (純資産 = 総資産 − 負債, and liabilities are never negative).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for (field, label, amount) in self.non_negative_amounts() {
            if amount.get() < 0 {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "「{label}」は0以上の金額で入力してください（{}になっています）。",
                        yen_text(amount.get())
                    ),
                ));
            }
        }
        if self.net_assets > self.total_assets {
            errors.push(FieldError::new(
                "net_assets",
                format!(
                    "「純資産」（{}）が「総資産」（{}）を超えています。純資産は総資産から負債を\
                     引いた額なので、総資産以下になります。貸借対照表を確かめて入力し直してください。",
                    yen_text(self.net_assets.get()),
                    yen_text(self.total_assets.get())
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// 債務超過: net assets below zero. The equity ratio is then negative (a defined value).
    pub fn is_negative_equity(&self) -> bool {
        self.net_assets.get() < 0
    }

    /// 売上債権 = 売掛金 + 受取手形.
    pub fn trade_receivables(&self) -> i64 {
        self.accounts_receivable.get() + self.notes_receivable.get()
    }

    /// 買入債務 = 買掛金 + 支払手形.
    pub fn trade_payables(&self) -> i64 {
        self.accounts_payable.get() + self.notes_payable.get()
    }

    /// Net debt: 借入金 − 現預金. Zero or below means 実質無借金 (see [`Self::is_net_cash`]).
    pub fn net_debt(&self) -> i64 {
        self.borrowings.get() - self.cash_and_deposits.get()
    }

    /// 実質無借金: cash and deposits cover all borrowings (the EBITDA multiple is then ≤ 0).
    pub fn is_net_cash(&self) -> bool {
        self.net_debt() <= 0
    }
}

/// The six financial indicators (6つの指標) of the Local Benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    SalesGrowth,
    OperatingMargin,
    LabourProductivity,
    EbitdaDebtMultiple,
    WorkingCapitalPeriod,
    EquityRatio,
}

impl Indicator {
    /// In the order of the official sheet.
    pub const ALL: [Indicator; 6] = [
        Self::SalesGrowth,
        Self::OperatingMargin,
        Self::LabourProductivity,
        Self::EbitdaDebtMultiple,
        Self::WorkingCapitalPeriod,
        Self::EquityRatio,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::SalesGrowth => "売上高増加率",
            Self::OperatingMargin => "営業利益率",
            Self::LabourProductivity => "労働生産性",
            Self::EbitdaDebtMultiple => "EBITDA有利子負債倍率",
            Self::WorkingCapitalPeriod => "営業運転資本回転期間",
            Self::EquityRatio => "自己資本比率",
        }
    }

    /// The unit of the value: percent indicators are in percent (5.0 means 5%).
    pub fn unit(self) -> &'static str {
        match self {
            Self::SalesGrowth | Self::OperatingMargin | Self::EquityRatio => "%",
            Self::LabourProductivity => "千円/人",
            Self::EbitdaDebtMultiple => "倍",
            Self::WorkingCapitalPeriod => "か月",
        }
    }

    /// The formula as the official tool writes it (for help texts).
    pub fn formula(self) -> &'static str {
        match self {
            Self::SalesGrowth => "売上高 ÷ 前期売上高 − 1",
            Self::OperatingMargin => "営業利益 ÷ 売上高",
            Self::LabourProductivity => "営業利益 ÷ 従業員数",
            Self::EbitdaDebtMultiple => "（借入金 − 現預金） ÷ （営業利益 ＋ 減価償却費）",
            Self::WorkingCapitalPeriod => "（売上債権 ＋ 棚卸資産 − 買入債務） ÷ （売上高 ÷ 12）",
            Self::EquityRatio => "純資産 ÷ 総資産",
        }
    }

    /// True for the EBITDA multiple and the working-capital period: a fall is an improvement.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Self::EbitdaDebtMultiple | Self::WorkingCapitalPeriod)
    }
}

/// Why an indicator has no meaningful value for a year.
///
/// Conditions name the valid case; statements that fail [`FinancialStatements::validate`] with a
/// negative denominator (negative sales, negative total assets) get the same reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotMeaningful {
    /// Sales growth without the previous year's statements.
    NoPreviousYear,
    /// Sales growth when the previous year's sales were 0.
    PreviousSalesZero,
    /// Operating margin and working-capital period when sales are 0.
    SalesZero,
    /// Labour productivity with no employees.
    NoEmployees,
    /// EBITDA multiple when 営業利益 + 減価償却費 ≤ 0: the debt has no earnings to repay it from.
    EbitdaNotPositive,
    /// Equity ratio when total assets are 0.
    TotalAssetsZero,
}

impl NotMeaningful {
    pub fn message(self) -> &'static str {
        match self {
            Self::NoPreviousYear => "前期の決算がないため、売上高増加率は計算できません。",
            Self::PreviousSalesZero => "前期の売上高が0円のため、売上高増加率は意味を持ちません。",
            Self::SalesZero => "売上高が0円のため、この指標は意味を持ちません。",
            Self::NoEmployees => "従業員数が0人のため、労働生産性は計算できません。",
            Self::EbitdaNotPositive => {
                "営業利益＋減価償却費が0円以下のため、EBITDA有利子負債倍率は意味を持ちません\
                 （借入金を返す原資が生まれていない状態です）。"
            }
            Self::TotalAssetsZero => "総資産が0円のため、自己資本比率は計算できません。",
        }
    }
}

impl fmt::Display for NotMeaningful {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A finite number within ±[`Finite::LIMIT`]: never NaN, never infinite.
///
/// The bound is far above anything the formulas can give on [`Yen`] (the largest, a percentage
/// over a denominator of 1 yen, is about 2×10^17), so differences of two values never overflow.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Finite(f64);

impl Finite {
    pub const LIMIT: f64 = 1e18;

    pub fn new(value: f64) -> Option<Self> {
        (value.is_finite() && value.abs() <= Self::LIMIT).then_some(Self(value))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// `num ÷ den` as one division; `den` must be positive. Callers pass integers derived from
    /// [`Yen`] and [`Count`], whose bounds keep the quotient within the limit.
    fn ratio(num: i128, den: i128) -> Self {
        debug_assert!(den > 0);
        let value = num as f64 / den as f64;
        debug_assert!(value.is_finite() && value.abs() <= Self::LIMIT);
        Self(value.clamp(-Self::LIMIT, Self::LIMIT))
    }
}

impl Serialize for Finite {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Finite {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = f64::deserialize(d)?;
        Self::new(raw).ok_or_else(|| serde::de::Error::custom("指標の値が範囲外です。"))
    }
}

/// One indicator's value for one year: serialized `{"value": 12.5}` or
/// `{"not_meaningful": "sales_zero"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorValue {
    Value(Finite),
    NotMeaningful(NotMeaningful),
}

impl IndicatorValue {
    pub fn value(self) -> Option<f64> {
        match self {
            Self::Value(v) => Some(v.get()),
            Self::NotMeaningful(_) => None,
        }
    }

    pub fn not_meaningful(self) -> Option<NotMeaningful> {
        match self {
            Self::Value(_) => None,
            Self::NotMeaningful(reason) => Some(reason),
        }
    }

    /// `num ÷ den` if `den > 0`, else the reason.
    fn ratio(num: i128, den: i128, otherwise: NotMeaningful) -> Self {
        if den > 0 {
            Self::Value(Finite::ratio(num, den))
        } else {
            Self::NotMeaningful(otherwise)
        }
    }
}

/// The six indicators of one fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicators {
    sales_growth: IndicatorValue,
    operating_margin: IndicatorValue,
    labour_productivity: IndicatorValue,
    ebitda_debt_multiple: IndicatorValue,
    working_capital_period: IndicatorValue,
    equity_ratio: IndicatorValue,
}

impl Indicators {
    /// The six indicators for `current`, with `previous` the statements of the year before (only
    /// sales growth uses them). Decisions beyond the formulas:
    ///
    /// - Net cash (現預金 > 借入金, 実質無借金) with positive EBITDA gives a negative multiple, a
    ///   meaningful answer: the lower, the better. With EBITDA ≤ 0 it is still not meaningful.
    /// - Negative equity (債務超過) gives a negative equity ratio.
    /// - Zero current sales give a sales growth of −100%.
    /// - A working-capital period may be negative (payables exceed receivables and inventory).
    pub fn compute(
        current: &FinancialStatements,
        previous: Option<&FinancialStatements>,
    ) -> Indicators {
        let c = current;
        let yen = |y: Yen| i128::from(y.get());
        let sales = yen(c.sales);
        let operating_profit = yen(c.operating_profit);

        let sales_growth = match previous {
            None => IndicatorValue::NotMeaningful(NotMeaningful::NoPreviousYear),
            Some(p) => {
                let previous_sales = yen(p.sales);
                IndicatorValue::ratio(
                    (sales - previous_sales) * 100,
                    previous_sales,
                    NotMeaningful::PreviousSalesZero,
                )
            }
        };
        let operating_margin =
            IndicatorValue::ratio(operating_profit * 100, sales, NotMeaningful::SalesZero);
        let labour_productivity = IndicatorValue::ratio(
            operating_profit,
            i128::from(c.employees.get()) * 1_000,
            NotMeaningful::NoEmployees,
        );
        let ebitda_debt_multiple = IndicatorValue::ratio(
            i128::from(c.net_debt()),
            operating_profit + yen(c.depreciation),
            NotMeaningful::EbitdaNotPositive,
        );
        let working_capital =
            i128::from(c.trade_receivables()) + yen(c.inventory) - i128::from(c.trade_payables());
        let working_capital_period =
            IndicatorValue::ratio(working_capital * 12, sales, NotMeaningful::SalesZero);
        let equity_ratio = IndicatorValue::ratio(
            yen(c.net_assets) * 100,
            yen(c.total_assets),
            NotMeaningful::TotalAssetsZero,
        );
        Indicators {
            sales_growth,
            operating_margin,
            labour_productivity,
            ebitda_debt_multiple,
            working_capital_period,
            equity_ratio,
        }
    }

    pub fn get(&self, indicator: Indicator) -> &IndicatorValue {
        match indicator {
            Indicator::SalesGrowth => &self.sales_growth,
            Indicator::OperatingMargin => &self.operating_margin,
            Indicator::LabourProductivity => &self.labour_productivity,
            Indicator::EbitdaDebtMultiple => &self.ebitda_debt_multiple,
            Indicator::WorkingCapitalPeriod => &self.working_capital_period,
            Indicator::EquityRatio => &self.equity_ratio,
        }
    }

    /// The six, in the order of [`Indicator::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (Indicator, &IndicatorValue)> + '_ {
        Indicator::ALL.into_iter().map(move |i| (i, self.get(i)))
    }
}

/// Indicators for every year with statements; each year uses the year before as `previous` only
/// if that year's statements are there (otherwise sales growth is [`NotMeaningful::NoPreviousYear`]).
pub fn indicators_by_year(
    statements: &BTreeMap<FiscalYear, FinancialStatements>,
) -> BTreeMap<FiscalYear, Indicators> {
    statements
        .iter()
        .map(|(&year, current)| {
            let previous = year.previous().and_then(|p| statements.get(&p));
            (year, Indicators::compute(current, previous))
        })
        .collect()
}

/// Which way an indicator moved, with [`Indicator::lower_is_better`] taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Improved,
    Unchanged,
    Worsened,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Self::Improved => "改善",
            Self::Unchanged => "横ばい",
            Self::Worsened => "悪化",
        }
    }
}

/// The change of one indicator from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IndicatorChange {
    /// `difference` = this year − previous year, in the indicator's unit (percentage points for
    /// the percent indicators). Saturates at ±[`Finite::LIMIT`], which computed values never reach.
    Compared {
        difference: Finite,
        direction: Direction,
    },
    /// Either year is not meaningful (this year's reason first).
    NotMeaningful(NotMeaningful),
}

/// How `indicator` changed from `previous_year` to `this_year`.
pub fn change(
    previous_year: &Indicators,
    this_year: &Indicators,
    indicator: Indicator,
) -> IndicatorChange {
    let (before, after) = match (*previous_year.get(indicator), *this_year.get(indicator)) {
        (_, IndicatorValue::NotMeaningful(reason)) | (IndicatorValue::NotMeaningful(reason), _) => {
            return IndicatorChange::NotMeaningful(reason);
        }
        (IndicatorValue::Value(before), IndicatorValue::Value(after)) => {
            (before.get(), after.get())
        }
    };
    let difference = (after - before).clamp(-Finite::LIMIT, Finite::LIMIT);
    let direction = if difference == 0.0 {
        Direction::Unchanged
    } else if (difference < 0.0) == indicator.lower_is_better() {
        Direction::Improved
    } else {
        Direction::Worsened
    };
    IndicatorChange::Compared {
        difference: Finite(difference),
        direction,
    }
}

// ---------------------------------------------------------------------------------------------
// The four perspectives (4つの視点)
// ---------------------------------------------------------------------------------------------

/// The four non-financial perspectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    OwnerFocus,
    BusinessFocus,
    EnvironmentFocus,
    InternalControlFocus,
}

impl Perspective {
    pub const ALL: [Perspective; 4] = [
        Self::OwnerFocus,
        Self::BusinessFocus,
        Self::EnvironmentFocus,
        Self::InternalControlFocus,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::OwnerFocus => "経営者への着目",
            Self::BusinessFocus => "事業への着目",
            Self::EnvironmentFocus => "企業を取り巻く環境・関係者への着目",
            Self::InternalControlFocus => "内部管理体制への着目",
        }
    }

    /// This perspective's items, in the order of the sheet.
    pub fn items(self) -> impl Iterator<Item = PerspectiveItem> {
        PerspectiveItem::ALL
            .into_iter()
            .filter(move |i| i.perspective() == self)
    }
}

/// The fifteen items of the four perspectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerspectiveItem {
    OwnerVision,
    BusinessSuccession,
    CompanyHistory,
    Strengths,
    Weaknesses,
    ItInvestment,
    ProductivityImprovement,
    MarketAndCompetition,
    CustomerRepeatAndAcquisition,
    EmployeeRetention,
    FinancialInstitutions,
    Organisation,
    BusinessPlan,
    ResearchAndDevelopment,
    StaffDevelopment,
}

impl PerspectiveItem {
    pub const ALL: [PerspectiveItem; 15] = [
        Self::OwnerVision,
        Self::BusinessSuccession,
        Self::CompanyHistory,
        Self::Strengths,
        Self::Weaknesses,
        Self::ItInvestment,
        Self::ProductivityImprovement,
        Self::MarketAndCompetition,
        Self::CustomerRepeatAndAcquisition,
        Self::EmployeeRetention,
        Self::FinancialInstitutions,
        Self::Organisation,
        Self::BusinessPlan,
        Self::ResearchAndDevelopment,
        Self::StaffDevelopment,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::OwnerVision => "経営者自身（ビジョン・経営理念）",
            Self::BusinessSuccession => "事業承継（後継者の有無・承継のタイミング）",
            Self::CompanyHistory => "企業及び事業沿革（ターニングポイント）",
            Self::Strengths => "強み（技術力・販売力等）",
            Self::Weaknesses => "弱み（技術力・販売力等）",
            Self::ItInvestment => "ITに関する投資・活用の状況",
            Self::ProductivityImprovement => "生産性向上の取組",
            Self::MarketAndCompetition => "市場動向・規模・シェア（競合他社との比較）",
            Self::CustomerRepeatAndAcquisition => "顧客リピート率・新規開拓率",
            Self::EmployeeRetention => "従業員定着率",
            Self::FinancialInstitutions => "取引金融機関数・推移（メインバンクとの関係）",
            Self::Organisation => "組織体制（品質管理・情報管理）",
            Self::BusinessPlan => "事業計画・経営計画の有無（従業員との共有）",
            Self::ResearchAndDevelopment => "研究開発・商品開発の体制（知的財産の保有・活用）",
            Self::StaffDevelopment => "人材育成の取組",
        }
    }

    pub fn perspective(self) -> Perspective {
        match self {
            Self::OwnerVision | Self::BusinessSuccession | Self::CompanyHistory => {
                Perspective::OwnerFocus
            }
            Self::Strengths
            | Self::Weaknesses
            | Self::ItInvestment
            | Self::ProductivityImprovement => Perspective::BusinessFocus,
            Self::MarketAndCompetition
            | Self::CustomerRepeatAndAcquisition
            | Self::EmployeeRetention
            | Self::FinancialInstitutions => Perspective::EnvironmentFocus,
            Self::Organisation
            | Self::BusinessPlan
            | Self::ResearchAndDevelopment
            | Self::StaffDevelopment => Perspective::InternalControlFocus,
        }
    }
}

/// What was heard on one item, written from dialogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerspectiveEntry {
    pub item: PerspectiveItem,
    pub text: Text,
}

/// The non-financial sheet: some of the fifteen items, each at most once. Items not heard yet
/// are simply absent (see [`NonFinancialAssessment::missing_items`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonFinancialAssessment {
    pub entries: Vec<PerspectiveEntry>,
}

impl NonFinancialAssessment {
    /// At least one entry; no item twice.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.entries.is_empty() {
            return Err(FieldError::new(
                "entries",
                "4つの視点の項目が1つもありません。対話で聞き取った内容を少なくとも1項目入力してください。",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if !seen.insert(entry.item) {
                return Err(FieldError::new(
                    format!("entries[{i}].item"),
                    format!(
                        "「{}」が2回入力されています。1つにまとめてください。",
                        entry.item.label()
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn get(&self, item: PerspectiveItem) -> Option<&Text> {
        self.entries
            .iter()
            .find(|e| e.item == item)
            .map(|e| &e.text)
    }

    /// Items with no entry yet, in the order of the sheet.
    pub fn missing_items(&self) -> Vec<PerspectiveItem> {
        PerspectiveItem::ALL
            .into_iter()
            .filter(|&i| self.get(i).is_none())
            .collect()
    }

    /// Characters written per perspective (課題聞き取り力), counted as [`Text::chars`] does.
    pub fn chars_per_perspective(&self) -> [(Perspective, usize); 4] {
        Perspective::ALL.map(|p| {
            let chars = self
                .entries
                .iter()
                .filter(|e| e.item.perspective() == p)
                .map(|e| e.text.chars())
                .sum();
            (p, chars)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Business flow, commercial flow, summary
// ---------------------------------------------------------------------------------------------

/// One step of the business flow, from procurement to delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowStep {
    pub name: Title,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// 差別化ポイント
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub differentiator: Option<Text>,
}

/// 業務フロー: the steps in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessFlow {
    pub steps: Vec<FlowStep>,
}

impl BusinessFlow {
    pub const MAX_STEPS: usize = 20;

    /// From 1 to [`Self::MAX_STEPS`] steps.
    pub fn validate(&self) -> Result<(), FieldError> {
        let n = self.steps.len();
        if n == 0 {
            return Err(FieldError::new(
                "steps",
                "業務フローの工程が1つもありません。調達から納品までの工程を入力してください。",
            ));
        }
        if n > Self::MAX_STEPS {
            return Err(FieldError::new(
                "steps",
                format!(
                    "業務フローの工程は{}個以内にまとめてください（現在{n}個）。",
                    Self::MAX_STEPS
                ),
            ));
        }
        Ok(())
    }
}

/// A supplier, customer or end user in the commercial flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: Name,
    /// 取引理由: why this party deals with the company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_us: Option<Text>,
}

/// 商流: 仕入先 → 当社 → 得意先 → エンドユーザー. The company itself is the case's company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommercialFlow {
    #[serde(default)]
    pub suppliers: Vec<Party>,
    #[serde(default)]
    pub customers: Vec<Party>,
    #[serde(default)]
    pub end_users: Vec<Party>,
    /// 顧客提供価値
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_value: Option<Text>,
}

impl CommercialFlow {
    pub const MAX_PARTIES_PER_ROLE: usize = 50;

    fn roles(&self) -> [(&'static str, &'static str, &[Party]); 3] {
        [
            ("suppliers", "仕入先", &self.suppliers),
            ("customers", "得意先", &self.customers),
            ("end_users", "エンドユーザー", &self.end_users),
        ]
    }

    /// At least one party overall; at most [`Self::MAX_PARTIES_PER_ROLE`] per role; no name twice
    /// in the same role.
    pub fn validate(&self) -> Result<(), FieldError> {
        let roles = self.roles();
        if roles.iter().all(|(_, _, parties)| parties.is_empty()) {
            return Err(FieldError::new(
                "customers",
                "商流に取引先が1つもありません。仕入先・得意先・エンドユーザーのいずれかを入力してください。",
            ));
        }
        for (field, label, parties) in roles {
            if parties.len() > Self::MAX_PARTIES_PER_ROLE {
                return Err(FieldError::new(
                    field,
                    format!(
                        "{label}は主なものを{}件以内で入力してください（現在{}件）。",
                        Self::MAX_PARTIES_PER_ROLE,
                        parties.len()
                    ),
                ));
            }
            let mut seen = BTreeSet::new();
            for (i, party) in parties.iter().enumerate() {
                if !seen.insert(party.name.as_str()) {
                    return Err(FieldError::new(
                        format!("{field}[{i}].name"),
                        format!(
                            "{label}「{}」が2回入力されています。1つにまとめてください。",
                            party.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The summary that leads to action: 現状認識 → 将来目標 → 課題 → 対応策. All four are required
/// (the types enforce it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkSummary {
    /// 現状認識
    pub current_view: Text,
    /// 将来目標
    pub future_goal: Text,
    /// 課題
    pub issues: Text,
    /// 対応策
    pub measures: Text,
}

// ---------------------------------------------------------------------------------------------
// Other tools: 経営デザインシート, 知的資産経営
// ---------------------------------------------------------------------------------------------

/// これまで: the business as it has been.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignPast {
    /// 提供してきた価値
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_provided: Option<Text>,
    /// ビジネスモデル
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_model: Option<Text>,
    /// 経営資源
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Text>,
}

/// これから: the business the owner wants.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFuture {
    /// 提供したい価値
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_to_provide: Option<Text>,
    /// ビジネスモデル
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_model: Option<Text>,
    /// 必要な経営資源
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_needed: Option<Text>,
}

/// 経営デザインシート (management design sheet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSheet {
    /// 企業理念・存在意義
    pub philosophy: Text,
    pub past: DesignPast,
    pub future: DesignFuture,
    /// 移行戦略: what to do to get from the past to the future.
    pub transition_strategy: Text,
    /// By when the transition should be done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_when: Option<Day>,
}

impl DesignSheet {
    /// Philosophy and transition strategy are required by type; each of これまで and これから
    /// needs at least one of its three fields.
    pub fn validate(&self) -> Result<(), FieldError> {
        let p = &self.past;
        if p.value_provided.is_none() && p.business_model.is_none() && p.resources.is_none() {
            return Err(FieldError::new(
                "past",
                "「これまで」が空です。提供してきた価値・ビジネスモデル・経営資源のうち少なくとも1つを入力してください。",
            ));
        }
        let f = &self.future;
        if f.value_to_provide.is_none()
            && f.business_model.is_none()
            && f.resources_needed.is_none()
        {
            return Err(FieldError::new(
                "future",
                "「これから」が空です。提供したい価値・ビジネスモデル・必要な経営資源のうち少なくとも1つを入力してください。",
            ));
        }
        Ok(())
    }
}

/// The steps of 知的資産経営, practised as a PDCA cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntellectualAssetStep {
    Inventory,
    Story,
    Visualise,
    Report,
    Disclose,
}

impl IntellectualAssetStep {
    pub const ALL: [IntellectualAssetStep; 5] = [
        Self::Inventory,
        Self::Story,
        Self::Visualise,
        Self::Report,
        Self::Disclose,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Inventory => "棚卸",
            Self::Story => "ストーリー化",
            Self::Visualise => "見える化",
            Self::Report => "見せる化",
            Self::Disclose => "開示",
        }
    }

    /// The next step; after 開示 the cycle starts again at 棚卸.
    pub fn next(self) -> Self {
        match self {
            Self::Inventory => Self::Story,
            Self::Story => Self::Visualise,
            Self::Visualise => Self::Report,
            Self::Report => Self::Disclose,
            Self::Disclose => Self::Inventory,
        }
    }
}

/// What was done at one step of 知的資産経営, with the KPIs it names (mostly at 見える化).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntellectualAssetEntry {
    pub step: IntellectualAssetStep,
    pub content: Text,
    #[serde(default)]
    pub kpis: Vec<Title>,
}

impl IntellectualAssetEntry {
    pub const MAX_KPIS: usize = 20;

    /// At most [`Self::MAX_KPIS`] KPIs, none twice.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.kpis.len() > Self::MAX_KPIS {
            return Err(FieldError::new(
                "kpis",
                format!(
                    "KPIは{}個以内に絞ってください（現在{}個）。",
                    Self::MAX_KPIS,
                    self.kpis.len()
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, kpi) in self.kpis.iter().enumerate() {
            if !seen.insert(kpi.as_str()) {
                return Err(FieldError::new(
                    format!("kpis[{i}]"),
                    format!("KPI「{kpi}」が2回入力されています。1つにまとめてください。"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yen(n: i64) -> Yen {
        Yen::new(n).unwrap()
    }

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    /// A manufacturer with 売上高 3億円 and 25 employees; the previous year sold 2.5億円.
    fn example() -> FinancialStatements {
        FinancialStatements {
            sales: yen(300_000_000),
            operating_profit: yen(15_000_000),
            depreciation: yen(5_000_000),
            borrowings: yen(120_000_000),
            cash_and_deposits: yen(40_000_000),
            accounts_receivable: yen(45_000_000),
            notes_receivable: yen(5_000_000),
            inventory: yen(30_000_000),
            accounts_payable: yen(25_000_000),
            notes_payable: yen(5_000_000),
            net_assets: yen(60_000_000),
            total_assets: yen(200_000_000),
            employees: Count::new(25).unwrap(),
        }
    }

    fn previous_with_sales(sales: i64) -> FinancialStatements {
        FinancialStatements {
            sales: yen(sales),
            ..example()
        }
    }

    fn value(ind: &Indicators, i: Indicator) -> f64 {
        ind.get(i)
            .value()
            .unwrap_or_else(|| panic!("{i:?}: {:?}", ind.get(i)))
    }

    fn reason(ind: &Indicators, i: Indicator) -> NotMeaningful {
        ind.get(i).not_meaningful().expect("not meaningful")
    }

    #[test]
    fn hand_computed_example() {
        let prev = previous_with_sales(250_000_000);
        let ind = Indicators::compute(&example(), Some(&prev));
        // (3億 ÷ 2.5億 − 1) = 20%
        assert_eq!(value(&ind, Indicator::SalesGrowth), 20.0);
        // 1,500万 ÷ 3億 = 5%
        assert_eq!(value(&ind, Indicator::OperatingMargin), 5.0);
        // 1,500万円 ÷ 25人 = 60万円 = 600千円/人
        assert_eq!(value(&ind, Indicator::LabourProductivity), 600.0);
        // (1.2億 − 4,000万) ÷ (1,500万 + 500万) = 4倍
        assert_eq!(value(&ind, Indicator::EbitdaDebtMultiple), 4.0);
        // (5,000万 + 3,000万 − 3,000万) ÷ (3億 ÷ 12 = 2,500万) = 2か月
        assert_eq!(value(&ind, Indicator::WorkingCapitalPeriod), 2.0);
        // 6,000万 ÷ 2億 = 30%
        assert_eq!(value(&ind, Indicator::EquityRatio), 30.0);
    }

    #[test]
    fn non_round_figures() {
        let current = FinancialStatements {
            sales: yen(123_456_789),
            operating_profit: yen(-2_345_678),
            employees: Count::new(7).unwrap(),
            ..example()
        };
        let prev = previous_with_sales(98_765_432);
        let ind = Indicators::compute(&current, Some(&prev));
        // expected values from exact fractions (Python `fractions`), rounded to f64
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert!(close(value(&ind, Indicator::SalesGrowth), 24.999_998_987_5));
        assert!(close(
            value(&ind, Indicator::OperatingMargin),
            -1.899_999_197_289_992_8
        ));
        // −2,345,678円 ÷ 7人 = −335,096.857…円 = −335.096857…千円/人
        assert!(close(
            value(&ind, Indicator::LabourProductivity),
            -335.096_857_142_857_1
        ));
        // 8,000万 ÷ (−2,345,678 + 5,000,000 = 2,654,322)
        assert!(close(
            value(&ind, Indicator::EbitdaDebtMultiple),
            30.139_523_388_646_893
        ));
    }

    #[test]
    fn sales_growth_needs_a_previous_year_with_sales() {
        let ind = Indicators::compute(&example(), None);
        assert_eq!(
            reason(&ind, Indicator::SalesGrowth),
            NotMeaningful::NoPreviousYear
        );
        // the other five do not need the previous year
        assert_eq!(ind.iter().filter(|(_, v)| v.value().is_some()).count(), 5);

        let ind = Indicators::compute(&example(), Some(&previous_with_sales(0)));
        assert_eq!(
            reason(&ind, Indicator::SalesGrowth),
            NotMeaningful::PreviousSalesZero
        );
    }

    #[test]
    fn zero_sales() {
        let current = FinancialStatements {
            sales: yen(0),
            ..example()
        };
        let ind = Indicators::compute(&current, Some(&example()));
        assert_eq!(value(&ind, Indicator::SalesGrowth), -100.0);
        assert_eq!(
            reason(&ind, Indicator::OperatingMargin),
            NotMeaningful::SalesZero
        );
        assert_eq!(
            reason(&ind, Indicator::WorkingCapitalPeriod),
            NotMeaningful::SalesZero
        );
        assert_eq!(value(&ind, Indicator::EquityRatio), 30.0);
    }

    #[test]
    fn zero_employees_and_an_operating_loss() {
        let none = FinancialStatements {
            employees: Count::new(0).unwrap(),
            ..example()
        };
        let ind = Indicators::compute(&none, None);
        assert_eq!(
            reason(&ind, Indicator::LabourProductivity),
            NotMeaningful::NoEmployees
        );

        let loss = FinancialStatements {
            operating_profit: yen(-5_000_000),
            ..example()
        };
        let ind = Indicators::compute(&loss, None);
        assert_eq!(value(&ind, Indicator::LabourProductivity), -200.0);
        assert!(value(&ind, Indicator::OperatingMargin) < 0.0);
    }

    #[test]
    fn ebitda_zero_or_negative_is_not_meaningful() {
        for op in [-5_000_000, -9_000_000] {
            let s = FinancialStatements {
                operating_profit: yen(op),
                ..example()
            };
            let ind = Indicators::compute(&s, None);
            assert_eq!(
                reason(&ind, Indicator::EbitdaDebtMultiple),
                NotMeaningful::EbitdaNotPositive
            );
        }
        // 1 yen of EBITDA is meaningful, if alarming: 8,000万倍
        let s = FinancialStatements {
            operating_profit: yen(-4_999_999),
            ..example()
        };
        let ind = Indicators::compute(&s, None);
        assert_eq!(value(&ind, Indicator::EbitdaDebtMultiple), 80_000_000.0);
    }

    #[test]
    fn net_cash_gives_a_multiple_at_or_below_zero() {
        let s = FinancialStatements {
            cash_and_deposits: yen(160_000_000),
            ..example()
        };
        assert!(s.is_net_cash());
        let ind = Indicators::compute(&s, None);
        assert_eq!(value(&ind, Indicator::EbitdaDebtMultiple), -2.0);

        let even = FinancialStatements {
            cash_and_deposits: yen(120_000_000),
            ..example()
        };
        assert!(even.is_net_cash());
        let ind = Indicators::compute(&even, None);
        assert_eq!(value(&ind, Indicator::EbitdaDebtMultiple), 0.0);
        assert!(!example().is_net_cash());
    }

    #[test]
    fn negative_equity_gives_a_negative_ratio() {
        let s = FinancialStatements {
            net_assets: yen(-30_000_000),
            ..example()
        };
        assert!(s.validate().is_ok());
        assert!(s.is_negative_equity());
        assert!(!example().is_negative_equity());
        let ind = Indicators::compute(&s, None);
        assert_eq!(value(&ind, Indicator::EquityRatio), -15.0);
    }

    #[test]
    fn zero_total_assets() {
        let s = FinancialStatements {
            net_assets: yen(0),
            total_assets: yen(0),
            ..example()
        };
        assert!(s.validate().is_ok());
        let ind = Indicators::compute(&s, None);
        assert_eq!(
            reason(&ind, Indicator::EquityRatio),
            NotMeaningful::TotalAssetsZero
        );
    }

    #[test]
    fn negative_working_capital_period() {
        let s = FinancialStatements {
            accounts_payable: yen(95_000_000),
            ..example()
        };
        let ind = Indicators::compute(&s, None);
        // (5,000万 + 3,000万 − 1億) ÷ 2,500万 = −0.8か月
        assert_eq!(value(&ind, Indicator::WorkingCapitalPeriod), -0.8);
    }

    #[test]
    fn values_near_the_yen_limit_do_not_overflow() {
        let l = Yen::LIMIT;
        // sales 1円, operating loss of almost 1,000兆円, every other amount at the limit or 0
        let huge = from_figures([1, -l + 1, l, l, 0, l, l, l, 0, 0, l, l], 1);
        assert!(huge.validate().is_ok());
        let prev = previous_with_sales(1);
        let current = FinancialStatements {
            sales: yen(l),
            ..huge.clone()
        };
        let ind = Indicators::compute(&current, Some(&prev));
        assert_eq!(
            value(&ind, Indicator::SalesGrowth),
            99_999_999_999_999_900.0
        );
        let ind = Indicators::compute(&huge, Some(&current));
        assert_eq!(value(&ind, Indicator::SalesGrowth), -99.999_999_999_999_9);
        assert_eq!(
            value(&ind, Indicator::OperatingMargin),
            -99_999_999_999_999_900.0
        );
        assert_eq!(value(&ind, Indicator::EbitdaDebtMultiple), 1e15);
        assert_eq!(value(&ind, Indicator::WorkingCapitalPeriod), 3.6e16);
        assert_eq!(value(&ind, Indicator::EquityRatio), 100.0);
        for (_, v) in ind.iter() {
            let v = v.value().unwrap();
            assert!(v.is_finite() && v.abs() <= Finite::LIMIT);
        }
    }

    #[test]
    fn invalid_statements_still_give_a_defined_answer() {
        let bad = FinancialStatements {
            sales: yen(-100),
            total_assets: yen(-100),
            net_assets: yen(-200),
            ..example()
        };
        let ind = Indicators::compute(&bad, Some(&bad));
        assert_eq!(
            reason(&ind, Indicator::SalesGrowth),
            NotMeaningful::PreviousSalesZero
        );
        assert_eq!(
            reason(&ind, Indicator::OperatingMargin),
            NotMeaningful::SalesZero
        );
        assert_eq!(
            reason(&ind, Indicator::EquityRatio),
            NotMeaningful::TotalAssetsZero
        );
    }

    #[test]
    fn validation_refuses_negative_amounts_and_net_assets_above_total_assets() {
        assert!(example().validate().is_ok());
        let bad = FinancialStatements {
            sales: yen(-1_234_567),
            inventory: yen(-1),
            net_assets: yen(250_000_000),
            ..example()
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sales", "inventory", "net_assets"]);
        assert_eq!(
            errors[0].error.message,
            "「売上高」は0以上の金額で入力してください（-1,234,567円になっています）。"
        );
        assert!(errors[1].error.message.contains("「棚卸資産」は0以上"));
        let m = &errors[2].error.message;
        assert!(
            m.contains("「純資産」（250,000,000円）が「総資産」（200,000,000円）を超えています"),
            "{m}"
        );
        // losses and negative equity are allowed
        let loss = FinancialStatements {
            operating_profit: yen(-1),
            net_assets: yen(-1),
            ..example()
        };
        assert!(loss.validate().is_ok());
    }

    #[test]
    fn statements_serialize_with_snake_case_fields_and_refuse_unknown_ones() {
        let json = serde_json::to_value(example()).unwrap();
        assert_eq!(json["cash_and_deposits"], 40_000_000);
        assert_eq!(json["employees"], 25);
        let back: FinancialStatements = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, example());
        let mut extra = json.clone();
        extra["ordinary_profit"] = 1.into();
        assert!(serde_json::from_value::<FinancialStatements>(extra).is_err());
        let mut negative_staff = json;
        negative_staff["employees"] = (-1).into();
        assert!(serde_json::from_value::<FinancialStatements>(negative_staff).is_err());
    }

    #[test]
    fn indicator_values_serialize_as_value_or_reason() {
        let ind = Indicators::compute(&example(), None);
        let json = serde_json::to_value(&ind).unwrap();
        assert_eq!(json["operating_margin"], serde_json::json!({"value": 5.0}));
        assert_eq!(
            json["sales_growth"],
            serde_json::json!({"not_meaningful": "no_previous_year"})
        );
        let back: Indicators = serde_json::from_value(json).unwrap();
        assert_eq!(back, ind);
        assert!(serde_json::from_str::<IndicatorValue>(r#"{"value": 1e300}"#).is_err());
        assert_eq!(
            serde_json::to_string(&Indicator::EbitdaDebtMultiple).unwrap(),
            "\"ebitda_debt_multiple\""
        );
    }

    #[test]
    fn indicator_metadata() {
        let lower: Vec<_> = Indicator::ALL
            .into_iter()
            .filter(|i| i.lower_is_better())
            .collect();
        assert_eq!(
            lower,
            [
                Indicator::EbitdaDebtMultiple,
                Indicator::WorkingCapitalPeriod
            ]
        );
        assert_eq!(Indicator::LabourProductivity.unit(), "千円/人");
        assert_eq!(
            Indicator::WorkingCapitalPeriod.label(),
            "営業運転資本回転期間"
        );
        let ind = Indicators::compute(&example(), None);
        let order: Vec<_> = ind.iter().map(|(i, _)| i).collect();
        assert_eq!(order, Indicator::ALL);
        for r in [NotMeaningful::EbitdaNotPositive, NotMeaningful::NoEmployees] {
            assert!(!r.message().is_empty());
        }
    }

    #[test]
    fn changes_respect_which_direction_is_better() {
        let before = Indicators::compute(&example(), None);
        let after = Indicators::compute(
            &FinancialStatements {
                operating_profit: yen(25_000_000),
                inventory: yen(55_000_000),
                ..example()
            },
            None,
        );
        let compared = |i| match change(&before, &after, i) {
            IndicatorChange::Compared {
                difference,
                direction,
            } => (difference.get(), direction),
            other => panic!("{other:?}"),
        };
        // 5% → 8.333…%: better
        assert_eq!(compared(Indicator::OperatingMargin).1, Direction::Improved);
        // 4倍 → 2.666…倍: lower is better
        assert_eq!(
            compared(Indicator::EbitdaDebtMultiple).1,
            Direction::Improved
        );
        // 2か月 → 3か月: lower is better, so worse
        assert_eq!(
            compared(Indicator::WorkingCapitalPeriod),
            (1.0, Direction::Worsened)
        );
        assert_eq!(
            compared(Indicator::EquityRatio),
            (0.0, Direction::Unchanged)
        );
        assert_eq!(
            change(&before, &after, Indicator::SalesGrowth),
            IndicatorChange::NotMeaningful(NotMeaningful::NoPreviousYear)
        );
        let json =
            serde_json::to_value(change(&before, &after, Indicator::WorkingCapitalPeriod)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"compared": {"difference": 1.0, "direction": "worsened"}})
        );
    }

    #[test]
    fn indicators_by_year_use_the_year_before_only() {
        let fy = |y| FiscalYear::new(y).unwrap();
        let years = BTreeMap::from([
            (fy(2021), previous_with_sales(200_000_000)),
            (fy(2022), previous_with_sales(250_000_000)),
            (fy(2024), example()),
        ]);
        let by_year = indicators_by_year(&years);
        assert_eq!(
            reason(&by_year[&fy(2021)], Indicator::SalesGrowth),
            NotMeaningful::NoPreviousYear
        );
        assert_eq!(value(&by_year[&fy(2022)], Indicator::SalesGrowth), 25.0);
        assert_eq!(
            reason(&by_year[&fy(2024)], Indicator::SalesGrowth),
            NotMeaningful::NoPreviousYear
        );
    }

    // --- the four perspectives ---------------------------------------------------------------

    #[test]
    fn fifteen_items_in_four_perspectives() {
        let counts: Vec<usize> = Perspective::ALL.iter().map(|p| p.items().count()).collect();
        assert_eq!(counts, [3, 4, 4, 4]);
        let labels: BTreeSet<_> = PerspectiveItem::ALL.iter().map(|i| i.label()).collect();
        assert_eq!(labels.len(), 15);
        assert_eq!(
            PerspectiveItem::Strengths.perspective(),
            Perspective::BusinessFocus
        );
        assert_eq!(
            serde_json::to_string(&PerspectiveItem::FinancialInstitutions).unwrap(),
            "\"financial_institutions\""
        );
        assert_eq!(
            serde_json::to_string(&Perspective::InternalControlFocus).unwrap(),
            "\"internal_control_focus\""
        );
    }

    #[test]
    fn non_financial_assessment_rules_and_hearing_depth() {
        let empty = NonFinancialAssessment { entries: vec![] };
        assert!(
            empty
                .validate()
                .unwrap_err()
                .error
                .message
                .contains("1項目")
        );

        let entry = |item, s: &str| PerspectiveEntry {
            item,
            text: text(s),
        };
        let a = NonFinancialAssessment {
            entries: vec![
                entry(PerspectiveItem::Strengths, "精密加工の技術"),
                entry(PerspectiveItem::OwnerVision, "地域一番の工場"),
                entry(PerspectiveItem::Weaknesses, "営業が社長頼み"),
                entry(PerspectiveItem::StaffDevelopment, "OJTのみ"),
            ],
        };
        assert!(a.validate().is_ok());
        assert_eq!(
            a.chars_per_perspective(),
            [
                (Perspective::OwnerFocus, 7),
                (Perspective::BusinessFocus, 14),
                (Perspective::EnvironmentFocus, 0),
                (Perspective::InternalControlFocus, 5),
            ]
        );
        assert_eq!(a.missing_items().len(), 11);
        assert_eq!(
            a.get(PerspectiveItem::OwnerVision).unwrap().as_str(),
            "地域一番の工場"
        );

        let mut twice = a.clone();
        twice
            .entries
            .push(entry(PerspectiveItem::Strengths, "短納期"));
        let err = twice.validate().unwrap_err();
        assert_eq!(err.field, "entries[4].item");
        assert!(
            err.error
                .message
                .contains("「強み（技術力・販売力等）」が2回"),
            "{err}"
        );
    }

    // --- flows, summary, other tools -----------------------------------------------------------

    #[test]
    fn business_flow_has_one_to_twenty_steps() {
        let step = |n: &str| FlowStep {
            name: Title::parse(n).unwrap(),
            description: None,
            differentiator: None,
        };
        assert!(BusinessFlow { steps: vec![] }.validate().is_err());
        assert!(
            BusinessFlow {
                steps: vec![step("受注")]
            }
            .validate()
            .is_ok()
        );
        let err = BusinessFlow {
            steps: (0..21).map(|i| step(&format!("工程{i}"))).collect(),
        }
        .validate()
        .unwrap_err();
        assert!(err.error.message.contains("20個以内"), "{err}");
        let json = r#"{"steps": [{"name": "加工", "differentiator": "0.01mmの精度"}]}"#;
        let flow: BusinessFlow = serde_json::from_str(json).unwrap();
        assert_eq!(
            flow.steps[0].differentiator.as_ref().unwrap().as_str(),
            "0.01mmの精度"
        );
        assert!(serde_json::from_str::<BusinessFlow>(r#"{"steps": [{"name": ""}]}"#).is_err());
    }

    #[test]
    fn commercial_flow_needs_a_party_and_no_duplicates() {
        let party = |n: &str| Party {
            name: Name::parse(n).unwrap(),
            why_us: None,
        };
        let empty = CommercialFlow {
            suppliers: vec![],
            customers: vec![],
            end_users: vec![],
            customer_value: Some(text("短納期")),
        };
        assert!(
            empty
                .validate()
                .unwrap_err()
                .error
                .message
                .contains("取引先が1つもありません")
        );
        let flow = CommercialFlow {
            suppliers: vec![party("山田鋼材")],
            ..empty.clone()
        };
        assert!(flow.validate().is_ok());
        let dup = CommercialFlow {
            customers: vec![party("A社"), party("B社"), party("A社")],
            ..flow
        };
        let err = dup.validate().unwrap_err();
        assert_eq!(err.field, "customers[2].name");
        assert!(err.error.message.contains("得意先「A社」が2回"), "{err}");
        let parsed: CommercialFlow =
            serde_json::from_str(r#"{"end_users": [{"name": "県内の消費者"}]}"#).unwrap();
        assert!(parsed.validate().is_ok());
    }

    #[test]
    fn summary_needs_all_four_parts() {
        let ok = r#"{"current_view": "a", "future_goal": "b", "issues": "c", "measures": "d"}"#;
        assert!(serde_json::from_str::<BenchmarkSummary>(ok).is_ok());
        let missing = r#"{"current_view": "a", "future_goal": "b", "issues": "c"}"#;
        assert!(serde_json::from_str::<BenchmarkSummary>(missing).is_err());
    }

    #[test]
    fn design_sheet_needs_something_in_past_and_future() {
        let sheet = DesignSheet {
            philosophy: text("ものづくりで地域を支える"),
            past: DesignPast {
                value_provided: Some(text("高精度部品")),
                ..DesignPast::default()
            },
            future: DesignFuture::default(),
            transition_strategy: text("自社製品の開発"),
            by_when: Some(Day::ymd(2027, 3, 31).unwrap()),
        };
        let err = sheet.validate().unwrap_err();
        assert_eq!(err.field, "future");
        let ok = DesignSheet {
            future: DesignFuture {
                business_model: Some(text("直販")),
                ..DesignFuture::default()
            },
            ..sheet.clone()
        };
        assert!(ok.validate().is_ok());
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(json["by_when"], "2027-03-31");
        assert_eq!(serde_json::from_value::<DesignSheet>(json).unwrap(), ok);
        let no_past = DesignSheet {
            past: DesignPast::default(),
            ..ok
        };
        assert_eq!(no_past.validate().unwrap_err().field, "past");
    }

    #[test]
    fn intellectual_asset_steps_and_kpis() {
        let labels: Vec<_> = IntellectualAssetStep::ALL
            .iter()
            .map(|s| s.label())
            .collect();
        assert_eq!(
            labels,
            ["棚卸", "ストーリー化", "見える化", "見せる化", "開示"]
        );
        assert_eq!(
            IntellectualAssetStep::Disclose.next(),
            IntellectualAssetStep::Inventory
        );
        let kpi = |s: &str| Title::parse(s).unwrap();
        let mut entry = IntellectualAssetEntry {
            step: IntellectualAssetStep::Visualise,
            content: text("強みを指標にする"),
            kpis: vec![kpi("リピート率"), kpi("不良率")],
        };
        assert!(entry.validate().is_ok());
        entry.kpis.push(kpi("リピート率"));
        assert_eq!(entry.validate().unwrap_err().field, "kpis[2]");
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["step"], "visualise");
    }

    // --- property tests against an exact reference -----------------------------------------

    /// An exact fraction, reduced, with a positive denominator.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Q {
        n: i128,
        d: i128,
    }

    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 { a.abs() } else { gcd(b, a % b) }
    }

    impl Q {
        fn new(n: i128, d: i128) -> Q {
            assert_ne!(d, 0);
            let g = gcd(n, d).max(1) * d.signum();
            Q { n: n / g, d: d / g }
        }
        fn int(n: i64) -> Q {
            Q::new(n.into(), 1)
        }
        fn sub(self, o: Q) -> Q {
            Q::new(
                (self.n.checked_mul(o.d).unwrap())
                    .checked_sub(o.n.checked_mul(self.d).unwrap())
                    .unwrap(),
                self.d.checked_mul(o.d).unwrap(),
            )
        }
        fn mul(self, o: Q) -> Q {
            Q::new(
                self.n.checked_mul(o.n).unwrap(),
                self.d.checked_mul(o.d).unwrap(),
            )
        }
        fn div(self, o: Q) -> Q {
            Q::new(
                self.n.checked_mul(o.d).unwrap(),
                self.d.checked_mul(o.n).unwrap(),
            )
        }
        fn to_f64(self) -> f64 {
            self.n as f64 / self.d as f64
        }
    }

    /// The formulas as the table writes them, on exact fractions.
    fn reference(
        c: &FinancialStatements,
        p: Option<&FinancialStatements>,
    ) -> [Result<Q, NotMeaningful>; 6] {
        let y = |v: Yen| Q::int(v.get());
        let hundred = Q::int(100);
        let sales_growth = match p {
            None => Err(NotMeaningful::NoPreviousYear),
            Some(p) if p.sales.get() == 0 => Err(NotMeaningful::PreviousSalesZero),
            Some(p) => Ok(y(c.sales).div(y(p.sales)).sub(Q::int(1)).mul(hundred)),
        };
        let margin = if c.sales.get() == 0 {
            Err(NotMeaningful::SalesZero)
        } else {
            Ok(y(c.operating_profit).div(y(c.sales)).mul(hundred))
        };
        let productivity = if c.employees.get() == 0 {
            Err(NotMeaningful::NoEmployees)
        } else {
            let per_person = y(c.operating_profit).div(Q::int(c.employees.get().into()));
            Ok(per_person.div(Q::int(1_000)))
        };
        let ebitda = y(c.operating_profit).sub(Q::int(0).sub(y(c.depreciation)));
        let multiple = if ebitda.n <= 0 {
            Err(NotMeaningful::EbitdaNotPositive)
        } else {
            Ok(y(c.borrowings).sub(y(c.cash_and_deposits)).div(ebitda))
        };
        let receivables = y(c.accounts_receivable).sub(Q::int(0).sub(y(c.notes_receivable)));
        let payables = y(c.accounts_payable).sub(Q::int(0).sub(y(c.notes_payable)));
        let working_capital = receivables.sub(Q::int(0).sub(y(c.inventory))).sub(payables);
        let period = if c.sales.get() == 0 {
            Err(NotMeaningful::SalesZero)
        } else {
            Ok(working_capital.div(y(c.sales).div(Q::int(12))))
        };
        let equity = if c.total_assets.get() == 0 {
            Err(NotMeaningful::TotalAssetsZero)
        } else {
            Ok(y(c.net_assets).div(y(c.total_assets)).mul(hundred))
        };
        [sales_growth, margin, productivity, multiple, period, equity]
    }

    const T: i64 = 1_000_000_000_000; // ±10^12 yen

    fn amount() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0), 1..=1_000i64, 0..=T]
    }

    fn signed() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0), -1_000..=1_000i64, -T..=T]
    }

    /// Statements from the twelve amounts in field order, and the number of employees.
    fn from_figures(figures: [i64; 12], employees: i64) -> FinancialStatements {
        let [s, op, dep, bo, ca, ar, nr, inv, ap, np, na, ta] = figures.map(yen);
        FinancialStatements {
            sales: s,
            operating_profit: op,
            depreciation: dep,
            borrowings: bo,
            cash_and_deposits: ca,
            accounts_receivable: ar,
            notes_receivable: nr,
            inventory: inv,
            accounts_payable: ap,
            notes_payable: np,
            net_assets: na,
            total_assets: ta,
            employees: Count::new(employees).unwrap(),
        }
    }

    /// Valid statements, with zeros, losses, negative equity and EBITDA of exactly 0 all common.
    fn statements() -> impl Strategy<Value = FinancialStatements> {
        let employees = prop_oneof![Just(0i64), 1..=10i64, 0..=Count::MAX];
        let amounts = proptest::array::uniform12(amount());
        (amounts, signed(), signed(), employees, 0..4u8).prop_map(|(mut f, op, na, emp, k)| {
            // operating profit and net assets may be negative; 1 in 4 has EBITDA of exactly 0
            f[1] = if k == 0 { -f[2] } else { op };
            f[10] = na.min(f[11]);
            from_figures(f, emp)
        })
    }

    /// Any statements the types allow, valid or not, across the whole Yen range.
    fn any_statements() -> impl Strategy<Value = FinancialStatements> {
        let l = Yen::LIMIT;
        let y = prop_oneof![Just(0i64), Just(l), Just(-l), Just(1), Just(-1), -l..=l];
        (proptest::array::uniform12(y), 0..=Count::MAX).prop_map(|(f, emp)| from_figures(f, emp))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn indicators_match_the_exact_reference(
            current in statements(),
            previous in proptest::option::weighted(0.8, statements()),
        ) {
            prop_assert!(current.validate().is_ok());
            let ours = Indicators::compute(&current, previous.as_ref());
            let expected = reference(&current, previous.as_ref());
            for (i, expected) in Indicator::ALL.into_iter().zip(expected) {
                match (*ours.get(i), expected) {
                    (IndicatorValue::Value(v), Ok(q)) => {
                        let v = v.get();
                        prop_assert!(v.is_finite(), "{i:?}: {v}");
                        if q.n == 0 {
                            prop_assert_eq!(v, 0.0, "{:?}", i);
                        } else {
                            let r = q.to_f64();
                            prop_assert!(
                                (v - r).abs() <= 1e-9 * r.abs(),
                                "{:?}: {} vs exact {}/{} = {}", i, v, q.n, q.d, r
                            );
                            prop_assert_eq!(v < 0.0, q.n < 0);
                        }
                    }
                    (IndicatorValue::NotMeaningful(a), Err(b)) => prop_assert_eq!(a, b, "{:?}", i),
                    (got, want) => prop_assert!(false, "{:?}: got {:?}, want {:?}", i, got, want),
                }
            }
        }

        #[test]
        fn any_statements_give_finite_values_or_a_reason(
            current in any_statements(),
            previous in proptest::option::of(any_statements()),
        ) {
            let ours = Indicators::compute(&current, previous.as_ref());
            for (i, v) in ours.iter() {
                if let IndicatorValue::Value(v) = v {
                    prop_assert!(v.get().is_finite() && v.get().abs() <= Finite::LIMIT, "{:?}", i);
                }
            }
            let again = Indicators::compute(&current, previous.as_ref());
            prop_assert_eq!(&again, &ours);
            if let Some(p) = &previous {
                let before = Indicators::compute(p, None);
                for i in Indicator::ALL {
                    if let IndicatorChange::Compared { difference, .. } = change(&before, &ours, i) {
                        prop_assert!(difference.get().is_finite());
                    }
                }
            }
        }
    }
}
