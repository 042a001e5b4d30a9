//! The events of the support lifecycle: what happened, in the past tense, with a Japanese
//! label for timelines. One enum, [`DomainEvent`], spans the five stream types
//! ([`StreamKey`]); each event names the stream it belongs to in its own payload.
//!
//! Stored form: the event type is the variant name (`"IssueSet"`), the payload is the
//! variant's fields as a JSON object plus, when the event carries personal data, one
//! `"personal"` key ([`PersonalData`]). Every type is at schema version 1; a change of shape
//! needs a new version and an upcaster (`tests/golden/events.json` makes such a change visible).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::ids::{
    AgencyId, CaseId, CompanyId, DialogueId, HandoverId, IssueId, KpiId, MeasureId, PersonId,
    SupporterId,
};
use super::japan::{CorporateNumber, Kana, Municipality, Prefecture};
use super::localbench::{
    BenchmarkSummary, BusinessFlow, CommercialFlow, DesignSheet, FinancialStatements,
    IntellectualAssetEntry, NonFinancialAssessment, Perspective, PerspectiveItem,
};
use super::personal::PersonalData;
use super::values::{
    Count, Day, FiscalYear, Line, Minutes, Name, Percent, Quantity, Reason, Text, Title,
};
use super::vocab::{
    AgencyKind, ClosingOutcome, CompanyRole, DialogueMode, DiscoveryChannel, ExampleSide,
    MeasureKind, Priority, Purpose, ReviewVerdict, Strength, SupporterRole, TeamRole, Theme, Wall,
};
use crate::codec::Event;
use crate::model::{StreamId, StreamType};

/// The stream an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamKey {
    Agency(AgencyId),
    Supporter(SupporterId),
    Company(CompanyId),
    Case(CaseId),
    /// A case's collection as a good-practice or failure example (審査・原稿・公開): the
    /// policy office's stream beside the case's own, so that reviewing never writes to the
    /// case and never races the supporters' work on it.
    Example(CaseId),
}

impl StreamKey {
    pub const AGENCY: &'static str = "agency";
    pub const SUPPORTER: &'static str = "supporter";
    pub const COMPANY: &'static str = "company";
    pub const CASE: &'static str = "case";
    pub const EXAMPLE: &'static str = "example";

    pub fn stream_id(self) -> StreamId {
        let (kind, id) = match self {
            StreamKey::Agency(id) => (Self::AGENCY, id.0),
            StreamKey::Supporter(id) => (Self::SUPPORTER, id.0),
            StreamKey::Company(id) => (Self::COMPANY, id.0),
            StreamKey::Case(id) => (Self::CASE, id.0),
            StreamKey::Example(id) => (Self::EXAMPLE, id.0),
        };
        StreamId::new(
            StreamType::new(kind).expect("stream type names are valid"),
            id,
        )
    }
}

/// Who the owner lets receive the case data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConsentRecipient {
    /// One named agency.
    Agency { agency_id: AgencyId },
    /// Every agency of a kind (e.g. any よろず支援拠点).
    AgencyKind { agency_kind: AgencyKind },
}

/// The owner's consent (同意): which agencies may receive the case data, for what, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub recipients: Vec<ConsentRecipient>,
    pub purposes: Vec<Purpose>,
    pub valid_until: Day,
    /// The owner who gave it (name in the event's personal data).
    pub given_by: PersonId,
}

impl Consent {
    /// Whether this consent lets the case data go to `agency` (of `kind`) for `purpose` on `day`.
    pub fn covers(&self, agency: AgencyId, kind: AgencyKind, purpose: Purpose, day: Day) -> bool {
        day <= self.valid_until
            && self.purposes.contains(&purpose)
            && self.recipients.iter().any(|r| match r {
                ConsentRecipient::Agency { agency_id } => *agency_id == agency,
                ConsentRecipient::AgencyKind { agency_kind } => *agency_kind == kind,
            })
    }
}

/// A person from the company at a dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyParticipant {
    pub person: PersonId,
    pub role: CompanyRole,
}

/// One note from a dialogue, optionally under a Local Benchmark item; confidential (秘) notes
/// never travel in a handover nor appear in a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogueNote {
    pub item: Option<PerspectiveItem>,
    pub text: Text,
    pub confidential: bool,
}

/// Who carries a measure out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MeasureOwner {
    /// A supporter or an expert of the case team.
    Supporter { supporter_id: SupporterId },
    /// The company's own people (a person, or a named internal team such as 改善プロジェクト).
    Company {
        person: Option<PersonId>,
        team: Option<Name>,
    },
}

/// A KPI (管理指標) of a measure: from a baseline to a target, in a unit. Whether higher is
/// better follows from the target: above the baseline means "increase".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub kpi_id: KpiId,
    pub name: Title,
    pub unit: Line<20>,
    pub baseline: Quantity,
    pub target: Quantity,
}

impl Kpi {
    /// Whether `value` reaches the target, in the KPI's direction.
    pub fn reached(&self, value: Quantity) -> bool {
        if self.target.get() >= self.baseline.get() {
            value.get() >= self.target.get()
        } else {
            value.get() <= self.target.get()
        }
    }
}

/// A review's finding on one KPI: the value seen against its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiFinding {
    pub measure_id: MeasureId,
    pub kpi_id: KpiId,
    pub value: Quantity,
    pub target: Quantity,
    /// Computed by the domain from the KPI's baseline and target.
    pub achieved: bool,
    pub note: Option<Reason>,
}

/// The write-up of a collected case, in the shape of the published examples of seed 004:
/// `【事例】A社（精密部品加工業・埼玉県）`, the supporting agency, ＜設定された課題＞ with the walls
/// in brackets, ＜支援アプローチ＞ and ＜生まれた事業上の変化＞. Generated from the events as a
/// draft, edited by a person, and published only without personal data (the API checks the
/// text against the case's names, numbers and confidential notes before it is drafted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteUp {
    /// 【事例】A社（業種・県）
    pub heading: Name,
    /// The supporting agency as published (支援: ...).
    pub agency: Name,
    /// What the catalogue is searched by: the company's industry and prefecture (never a
    /// municipality).
    pub industry: super::japan::Industry,
    pub prefecture: Prefecture,
    pub themes: Vec<Theme>,
    pub walls: Vec<Wall>,
    /// ＜設定された課題＞
    pub issues: Text,
    /// ＜支援アプローチ＞
    pub approach: Text,
    /// ＜生まれた事業上の変化＞
    pub changes: Text,
}

macro_rules! domain_events {
    ($(
        $(#[$meta:meta])*
        $name:ident ($label:literal) { $($field:ident : $ty:ty),* $(,)? }
    )*) => {
        /// Everything that can happen in Banso. See the module documentation for the stored form.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub enum DomainEvent {
            $($(#[$meta])* $name { $($field: $ty),* },)*
        }

        impl DomainEvent {
            /// Every event type name, in declaration order.
            pub const TYPES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The stored event type name.
            pub fn event_type(&self) -> &'static str {
                match self { $(DomainEvent::$name { .. } => stringify!($name),)* }
            }

            /// The Japanese label a timeline shows.
            pub fn label(&self) -> &'static str {
                match self { $(DomainEvent::$name { .. } => $label,)* }
            }

            /// The Japanese label of an event type name, if it is one of ours.
            pub fn label_of(event_type: &str) -> Option<&'static str> {
                match event_type { $(stringify!($name) => Some($label),)* _ => None }
            }
        }
    };
}

domain_events! {
    // ---- agency ----
    /// An agency starts using Banso.
    AgencyRegistered ("支援機関の登録") {
        agency_id: AgencyId, kind: AgencyKind, name: Name, prefecture: Prefecture,
        municipality: Option<Municipality>, strengths: Vec<Strength>,
    }
    /// An agency declares what it is good at (役割分担).
    AgencyStrengthsDeclared ("得意分野の宣言") { agency_id: AgencyId, strengths: Vec<Strength> }

    // ---- supporter ----
    /// A person joins an agency as a supporter (name and contact in personal data).
    SupporterRegistered ("支援者の登録") {
        supporter_id: SupporterId, agency_id: AgencyId, person: PersonId, role: SupporterRole,
    }
    SupporterRoleChanged ("支援者の役割変更") { supporter_id: SupporterId, role: SupporterRole }
    SupporterDeparted ("支援者の離任") { supporter_id: SupporterId, on: Day }

    // ---- company ----
    /// A company is registered (usually together with its discovery at step zero).
    CompanyRegistered ("企業の登録") {
        company_id: CompanyId, corporate_number: Option<CorporateNumber>, sole_proprietor: bool,
        name: Name, kana: Kana, industry: super::japan::Industry, prefecture: Prefecture,
        municipality: Option<Municipality>, employees: Count, founded_year: Option<u16>,
        representative: Option<PersonId>,
    }
    /// Corrections to a company's profile; only the fields that changed are set.
    CompanyProfileUpdated ("企業情報の更新") {
        company_id: CompanyId, name: Option<Name>, kana: Option<Kana>,
        industry: Option<super::japan::Industry>, prefecture: Option<Prefecture>,
        municipality: Option<Municipality>, employees: Option<Count>,
        representative: Option<PersonId>,
    }
    /// Financial statements of one fiscal year (ロカベン 財務情報).
    FinancialStatementsRecorded ("決算情報の登録") {
        company_id: CompanyId, case_id: CaseId, fiscal_year: FiscalYear,
        statements: FinancialStatements,
    }
    FinancialStatementsCorrected ("決算情報の訂正") {
        company_id: CompanyId, case_id: CaseId, fiscal_year: FiscalYear,
        statements: FinancialStatements, reason: Reason,
    }
    /// The four non-financial perspectives (ロカベン 非財務 4つの視点).
    NonFinancialAssessed ("非財務情報（4つの視点）の記録") {
        company_id: CompanyId, case_id: CaseId, on: Day, assessment: NonFinancialAssessment,
    }
    BusinessFlowRecorded ("業務フローの記録") {
        company_id: CompanyId, case_id: CaseId, on: Day, flow: BusinessFlow,
    }
    CommercialFlowRecorded ("商流の記録") {
        company_id: CompanyId, case_id: CaseId, on: Day, flow: CommercialFlow,
    }
    /// 現状認識 → 将来目標 → 課題 → 対応策.
    BenchmarkSummaryRecorded ("ロカベンのまとめ") {
        company_id: CompanyId, case_id: CaseId, on: Day, summary: BenchmarkSummary,
    }
    DesignSheetRecorded ("経営デザインシートの記録") {
        company_id: CompanyId, case_id: CaseId, on: Day, sheet: DesignSheet,
    }
    IntellectualAssetRecorded ("知的資産経営の記録") {
        company_id: CompanyId, case_id: CaseId, on: Day, entry: IntellectualAssetEntry,
    }

    // ---- case: step zero ----
    /// Step zero: a supporter finds a company that needs help; the case begins.
    CompanyDiscovered ("企業の発掘") {
        case_id: CaseId, company_id: CompanyId, agency_id: AgencyId,
        discovered_by: SupporterId, on: Day, channel: DiscoveryChannel,
        first_concerns: Vec<Reason>,
    }
    OutreachVisitLogged ("働きかけ訪問") {
        case_id: CaseId, on: Day, by: SupporterId, expert: Option<SupporterId>,
        minutes: Option<Minutes>, notes: Option<Text>,
    }
    /// The owner decides to accept support (一歩前に踏み出そう), with consent.
    StartLineReached ("スタートライン到達") {
        case_id: CaseId, on: Day, decision: Option<Reason>, consent: Consent,
    }
    ConsentAmended ("同意内容の変更") { case_id: CaseId, on: Day, consent: Consent }
    ConsentWithdrawn ("同意の撤回") { case_id: CaseId, on: Day, reason: Option<Reason> }

    // ---- case: 1st step ----
    DialogueHeld ("対話") {
        case_id: CaseId, dialogue_id: DialogueId, on: Day, minutes: Minutes, mode: DialogueMode,
        place: Option<Name>, supporters: Vec<SupporterId>, experts: Vec<SupporterId>,
        company_people: Vec<CompanyParticipant>, perspectives: Vec<Perspective>,
        notes: Vec<DialogueNote>,
    }
    IssueSet ("課題設定") {
        case_id: CaseId, issue_id: IssueId, on: Day, cycle: u32, title: Title, description: Option<Text>,
        theme: Theme, walls: Vec<Wall>, priority: Priority, owner_agrees: bool,
    }
    IssueRevised ("課題の見直し") {
        case_id: CaseId, issue_id: IssueId, on: Day, title: Title, description: Option<Text>,
        theme: Theme, walls: Vec<Wall>, priority: Priority, owner_agrees: bool, reason: Reason,
    }
    IssueDropped ("課題の取り下げ") {
        case_id: CaseId, issue_id: IssueId, on: Day, reason: Reason,
    }
    IssueResolved ("課題の解決") { case_id: CaseId, issue_id: IssueId, on: Day, how: Reason }

    // ---- case: 2nd step ----
    MeasurePrescribed ("施策の処方") {
        case_id: CaseId, measure_id: MeasureId, on: Day, cycle: u32, issues: Vec<IssueId>,
        kind: MeasureKind, title: Title, description: Option<Text>, owner: MeasureOwner,
        starts_on: Day, due_on: Day, kpis: Vec<Kpi>,
    }
    TeamMemberJoined ("チームへの参加") {
        case_id: CaseId, supporter_id: SupporterId, agency_id: AgencyId, role: TeamRole,
        on: Day, dispatch_purpose: Option<Reason>, until: Option<Day>,
    }
    TeamMemberLeft ("チームからの離脱") {
        case_id: CaseId, supporter_id: SupporterId, on: Day, reason: Option<Reason>,
    }

    // ---- case: 3rd step ----
    MeasureStarted ("施策の開始") { case_id: CaseId, measure_id: MeasureId, on: Day }
    MeasureProgressLogged ("施策の進捗") {
        case_id: CaseId, measure_id: MeasureId, on: Day, note: Text, percent: Option<Percent>,
    }
    MeasureStalled ("施策の停滞") {
        case_id: CaseId, measure_id: MeasureId, on: Day, wall: Wall, note: Text,
    }
    MeasureResumed ("施策の再開") {
        case_id: CaseId, measure_id: MeasureId, on: Day, note: Option<Reason>,
    }
    MeasureCompleted ("施策の完了") {
        case_id: CaseId, measure_id: MeasureId, on: Day, result: Option<Text>,
    }
    WallOvercome ("壁の克服") {
        case_id: CaseId, issue_id: IssueId, wall: Wall, on: Day, how: Text,
        measure_id: Option<MeasureId>,
    }
    KpiMeasured ("KPIの測定") {
        case_id: CaseId, measure_id: MeasureId, kpi_id: KpiId, on: Day, value: Quantity,
    }

    // ---- case: check / act ----
    ReviewHeld ("検証・見直し") {
        case_id: CaseId, cycle: u32, on: Day, findings: Vec<KpiFinding>,
        worked: Option<Text>, not_worked: Option<Text>, adjustments: Option<Text>,
        next_review_on: Option<Day>, next_cycle: Option<u32>,
    }

    // ---- case: people and agencies ----
    SupporterInChargeChanged ("担当者交代") {
        case_id: CaseId, from: SupporterId, to: SupporterId, on: Day, reason: Option<Reason>,
    }
    HandoverRequested ("引継ぎの依頼") {
        case_id: CaseId, handover_id: HandoverId, from_agency: AgencyId, to_agency: AgencyId,
        on: Day, reason: Reason, summary: Text, issues: Vec<IssueId>, sender_stays: bool,
    }
    /// The receiving agency accepts: the case moves to it, `by` becomes the supporter in charge.
    /// (When the sender stays, a `TeamMemberJoined` for its supporter follows in the same append.)
    HandoverAccepted ("引継ぎの受諾") {
        case_id: CaseId, handover_id: HandoverId, on: Day, by: SupporterId,
    }
    HandoverDeclined ("引継ぎの辞退") {
        case_id: CaseId, handover_id: HandoverId, on: Day, by: SupporterId, reason: Reason,
    }
    HandoverWithdrawn ("引継ぎの取下げ") {
        case_id: CaseId, handover_id: HandoverId, on: Day, reason: Reason,
    }
    HandoverCompleted ("引継ぎの完了") {
        case_id: CaseId, handover_id: HandoverId, on: Day, outcome: Reason,
    }

    // ---- case: closing ----
    SelfRunningReached ("自走化") { case_id: CaseId, on: Day, evidence: Text }
    CaseClosed ("案件の終了") {
        case_id: CaseId, on: Day, outcome: ClosingOutcome, note: Option<Reason>,
    }
    CaseReopened ("案件の再開") { case_id: CaseId, on: Day, reason: Reason }

    // ---- case: good practice and failure ----
    GoodPracticeNominated ("好事例候補への推薦") {
        case_id: CaseId, on: Day, by: SupporterId, themes: Vec<Theme>, reasons: Text,
    }
    FailureCaseRecorded ("失敗事例としての記録") {
        case_id: CaseId, on: Day, by: SupporterId, walls: Vec<Wall>, reasons: Text,
        lessons: Option<Text>,
    }

    // ---- example: review and publication by the policy office ----
    /// A policy officer nominates a case found among the candidates (supporters nominate
    /// with `GoodPracticeNominated` and `FailureCaseRecorded` on the case itself).
    ExampleNominated ("事例候補への選定（政策担当）") {
        case_id: CaseId, on: Day, by: SupporterId, side: ExampleSide, themes: Vec<Theme>,
        reasons: Text,
    }
    ExampleReviewed ("事例候補の審査") {
        case_id: CaseId, on: Day, by: SupporterId, verdict: ReviewVerdict,
        comment: Option<Text>,
    }
    ExampleQuestionsAnswered ("審査の質問への回答") {
        case_id: CaseId, on: Day, by: SupporterId, answers: Text,
    }
    ExampleDrafted ("事例原稿の作成") {
        case_id: CaseId, on: Day, by: SupporterId, write_up: WriteUp,
    }
    ExamplePublished ("事例の公開") { case_id: CaseId, on: Day, by: SupporterId }
    ExampleWithdrawn ("事例の公開取下げ") {
        case_id: CaseId, on: Day, by: SupporterId, reason: Reason,
    }
}

impl DomainEvent {
    /// The stream this event belongs to.
    pub fn stream(&self) -> StreamKey {
        use DomainEvent::*;
        match self {
            AgencyRegistered { agency_id, .. } | AgencyStrengthsDeclared { agency_id, .. } => {
                StreamKey::Agency(*agency_id)
            }
            SupporterRegistered { supporter_id, .. }
            | SupporterRoleChanged { supporter_id, .. }
            | SupporterDeparted { supporter_id, .. } => StreamKey::Supporter(*supporter_id),
            CompanyRegistered { company_id, .. }
            | CompanyProfileUpdated { company_id, .. }
            | FinancialStatementsRecorded { company_id, .. }
            | FinancialStatementsCorrected { company_id, .. }
            | NonFinancialAssessed { company_id, .. }
            | BusinessFlowRecorded { company_id, .. }
            | CommercialFlowRecorded { company_id, .. }
            | BenchmarkSummaryRecorded { company_id, .. }
            | DesignSheetRecorded { company_id, .. }
            | IntellectualAssetRecorded { company_id, .. } => StreamKey::Company(*company_id),
            CompanyDiscovered { case_id, .. }
            | OutreachVisitLogged { case_id, .. }
            | StartLineReached { case_id, .. }
            | ConsentAmended { case_id, .. }
            | ConsentWithdrawn { case_id, .. }
            | DialogueHeld { case_id, .. }
            | IssueSet { case_id, .. }
            | IssueRevised { case_id, .. }
            | IssueDropped { case_id, .. }
            | IssueResolved { case_id, .. }
            | MeasurePrescribed { case_id, .. }
            | TeamMemberJoined { case_id, .. }
            | TeamMemberLeft { case_id, .. }
            | MeasureStarted { case_id, .. }
            | MeasureProgressLogged { case_id, .. }
            | MeasureStalled { case_id, .. }
            | MeasureResumed { case_id, .. }
            | MeasureCompleted { case_id, .. }
            | WallOvercome { case_id, .. }
            | KpiMeasured { case_id, .. }
            | ReviewHeld { case_id, .. }
            | SupporterInChargeChanged { case_id, .. }
            | HandoverRequested { case_id, .. }
            | HandoverAccepted { case_id, .. }
            | HandoverDeclined { case_id, .. }
            | HandoverWithdrawn { case_id, .. }
            | HandoverCompleted { case_id, .. }
            | SelfRunningReached { case_id, .. }
            | CaseClosed { case_id, .. }
            | CaseReopened { case_id, .. }
            | GoodPracticeNominated { case_id, .. }
            | FailureCaseRecorded { case_id, .. } => StreamKey::Case(*case_id),
            ExampleNominated { case_id, .. }
            | ExampleReviewed { case_id, .. }
            | ExampleQuestionsAnswered { case_id, .. }
            | ExampleDrafted { case_id, .. }
            | ExamplePublished { case_id, .. }
            | ExampleWithdrawn { case_id, .. } => StreamKey::Example(*case_id),
        }
    }
}

/// An event together with the personal data it carries: the unit the store keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub event: DomainEvent,
    pub personal: PersonalData,
}

impl Envelope {
    /// An event that names no person's details.
    pub fn plain(event: DomainEvent) -> Self {
        Self {
            event,
            personal: PersonalData::new(),
        }
    }

    pub fn with_personal(event: DomainEvent, personal: PersonalData) -> Self {
        Self { event, personal }
    }
}

const PERSONAL_KEY: &str = "personal";

impl Event for Envelope {
    fn schema_version_of(event_type: &str) -> Option<u32> {
        DomainEvent::TYPES.contains(&event_type).then_some(1)
    }

    fn event_type(&self) -> &'static str {
        self.event.event_type()
    }

    fn to_payload(&self) -> Result<Box<RawValue>, serde_json::Error> {
        // Externally tagged: {"IssueSet": {...fields}} → the fields object.
        let tagged = serde_json::to_value(&self.event)?;
        let Value::Object(tagged) = tagged else {
            unreachable!("struct variants serialize as objects")
        };
        let Some((_, Value::Object(mut fields))) = tagged.into_iter().next() else {
            unreachable!("every event variant has fields")
        };
        if !self.personal.is_empty() {
            fields.insert(
                PERSONAL_KEY.to_owned(),
                serde_json::to_value(&self.personal)?,
            );
        }
        serde_json::value::to_raw_value(&fields)
    }

    fn from_payload(event_type: &str, payload: &str) -> Result<Self, serde_json::Error> {
        // {"IssueSet": {...fields}} as text, parsed once into the event (no JSON tree between).
        let (fields, personal) = split_personal(payload)?;
        let tagged = format!("{{{}:{fields}}}", serde_json::to_string(event_type)?);
        let event = serde_json::from_str(&tagged)?;
        let personal = match personal {
            Some(raw) => serde_json::from_str(raw)?,
            None => PersonalData::new(),
        };
        Ok(Self { event, personal })
    }
}

/// A stored payload split into its fields without the `"personal"` key (a JSON object, keys in
/// sorted order) and the text of the personal data, if any. The values are copied as they are,
/// not parsed.
pub fn split_personal(payload: &str) -> Result<(String, Option<&str>), serde_json::Error> {
    let fields: BTreeMap<Cow<'_, str>, &RawValue> = serde_json::from_str(payload)?;
    let mut out = String::with_capacity(payload.len());
    let mut personal = None;
    out.push('{');
    for (key, value) in fields {
        if key == PERSONAL_KEY {
            personal = Some(value.get());
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key.as_ref())?);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    Ok((out, personal))
}

#[cfg(test)]
mod tests {
    use super::split_personal;

    #[test]
    fn the_personal_key_is_split_off_and_the_rest_copied_as_it_is() {
        let payload = r#"{"summary":"社長と面談\n\"後継者\"の件","personal":{"p1":{"name":"川口 一郎"}},"amount":1.50,"on":"2025-11-20"}"#;
        let (fields, personal) = split_personal(payload).unwrap();
        assert_eq!(
            fields,
            r#"{"amount":1.50,"on":"2025-11-20","summary":"社長と面談\n\"後継者\"の件"}"#
        );
        assert_eq!(personal, Some(r#"{"p1":{"name":"川口 一郎"}}"#));
        assert!(!fields.contains("川口"));

        let (fields, personal) = split_personal(r#"{"a":[1,{"personal":2}]}"#).unwrap();
        assert_eq!(
            fields, r#"{"a":[1,{"personal":2}]}"#,
            "only the top-level key"
        );
        assert_eq!(personal, None);
        assert!(split_personal("[1]").is_err());
    }
}
