//! The demo data set (`banso demo`, `banso serve --demo`): a step-zero project of four shinkin
//! banks with a chamber of commerce, a よろず支援拠点 and a regional bureau, loaded through the
//! real domain service, so every event is one the rules accept.
//!
//! What it holds:
//! - seven agencies: さきたま信用金庫 (埼玉), 赤城やまなみ信用金庫 (群馬), とちぎ野州信用金庫 (栃木),
//!   常陸なかみなと信用金庫 (茨城), 北武蔵商工会議所, 埼玉県よろず支援拠点 and 関東経済産業局,
//!   29 supporters (hub and accompanying supporters, experts, an administrator per agency and
//!   the bureau's policy officer);
//! - 45 companies: 15, 15, 7 and 3 found by the banks at step zero, each visited twice with an
//!   expert, three found by the chamber and two who walked into the よろず支援拠点;
//! - their cases at every stage of the flow: dialogues with notes per Local Benchmark item
//!   (some 秘), two fiscal years of statements, the four perspectives, issues with walls,
//!   measures with KPIs, stalls and walls overcome, reviews (five overdue), handovers accepted,
//!   declined and one pending, self-running, closings with their outcomes, a failure case and
//!   good-practice nominations.
//!
//! The content lives in tables (`demo/data.rs`); `demo/script.rs` turns one company's row into
//! the commands of its case. Dates are counted back from `today`, so the demo loads on any day
//! and every fact lies in the past.
//!
//! Ids are fixed: `ba250de0-KKKK-8000-8000-NNNNNNNNNNNN` (a UUIDv8), `KKKK` the kind of thing
//! (1 agency, 2 supporter, 3 person, 4 company, 5 case, …, `00c0` command) and `N` its number:
//! agency 1 to 7, supporter `agency × 100 + staff index`, company and case 1 to 45 (in table
//! order), person 1000 + case for owners. Command ids are fixed too, so loading again is idempotent: the service answers every command with its
//! earlier result and appends nothing ([`DemoSet::appended`] is then 0), whatever `today` is.

mod data;
mod script;

use banso_events::domain::command::Command;
use banso_events::domain::directory::Actor;
use banso_events::domain::event::{DomainEvent, StreamKey, WriteUp};
use banso_events::domain::ids::{AgencyId, CaseId, CompanyId, PersonId, SupporterId};
use banso_events::domain::japan::{Email, Kana, Municipality, PersonName};
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::refusal::Refusal;
use banso_events::domain::service::{CommandRequest, ExecuteError, Lifecycle};
use banso_events::domain::state::{CompanyState, Fold};
use banso_events::domain::values::{Day, Line, Name, Reason, Text, Title};
use banso_events::domain::vocab::{ExampleSide, ReviewVerdict, Stage, SupporterRole};
use banso_projections::models::benchmarks::StatementsRow;
use banso_projections::models::cases::CaseDoc;
use banso_projections::writeup::{self, DraftHints, DraftInput};
use uuid::Uuid;

/// What was loaded: who to sign in as, the cases, and how much there is.
#[derive(Debug, Clone)]
pub struct DemoSet {
    /// Supporters worth signing in as: the hub supporter of each bank, the chamber's and the
    /// よろず支援拠点's, the よろず IT coordinator (an expert), an administrator and the policy
    /// officer.
    pub logins: Vec<DemoLogin>,
    /// Every case, in table order, with the stage its plan leaves it in.
    pub case_list: Vec<DemoCase>,
    pub agencies: usize,
    pub supporters: usize,
    pub companies: usize,
    pub cases: usize,
    /// Commands issued.
    pub commands: usize,
    /// Events the demo consists of.
    pub events: usize,
    /// Events this load appended: all of them into a fresh database, none when the demo was
    /// already loaded.
    pub appended: usize,
}

/// A supporter of the demo to sign in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub supporter_id: SupporterId,
    pub agency_id: AgencyId,
    pub role: SupporterRole,
    pub agency_name: String,
    pub person_name: String,
}

/// One case of the demo and where its plan leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCase {
    pub case_id: CaseId,
    pub company_id: CompanyId,
    pub company_name: String,
    /// The agency that found the company at step zero.
    pub discovered_by: AgencyId,
    /// The agency holding the case now (after any accepted handover).
    pub holder: AgencyId,
    pub stage: Stage,
}

/// A demo command the service did not run. It names the step, so a change in the rules that
/// the demo no longer follows is easy to find.
#[derive(Debug, thiserror::Error)]
#[error("デモデータの投入に失敗しました（{subject}: {action}）: {source}")]
pub struct DemoError {
    /// The agency, supporter or company the command was about.
    pub subject: String,
    /// What the command does, in Japanese (e.g. 「施策の処方」).
    pub action: &'static str,
    pub command_id: Uuid,
    /// Boxed: a refusal or a store error is large, and this error travels up through every
    /// step of the loader.
    #[source]
    pub source: Box<ExecuteError>,
}

/// The command block of the policy office's publication (case blocks are numbered by case).
const PUBLICATION_BLOCK: u32 = 900;

/// Load the demo into the store behind `lifecycle`, dated back from `today`.
///
/// Idempotent: loading into a database that already holds the demo appends nothing and returns
/// the same set. A database holding other data is fine: the demo's ids are its own.
pub async fn load(lifecycle: &Lifecycle, today: Day) -> Result<DemoSet, DemoError> {
    check_today(today)?;
    let mut loader = Loader {
        lifecycle,
        today,
        block: 0,
        step: 0,
        commands: 0,
        events: 0,
        appended: 0,
    };
    loader.set_up().await?;
    let mut cases = Vec::with_capacity(data::COMPANIES.len());
    let mut found = std::collections::HashMap::<u32, usize>::new();
    for (index, company) in data::COMPANIES.iter().enumerate() {
        let nth = found.entry(company.agency).or_default();
        let no = u32::try_from(index + 1).expect("the demo has few companies");
        cases.push(loader.run_case(no, *nth, company).await?);
        *nth += 1;
    }
    let chamber_nominated = data::COMPANIES
        .iter()
        .position(|co| co.agency == data::CHAMBER && co.twist == data::Twist::Nominate)
        .expect("the demo nominates a case of the chamber");
    loader.publish_example(&cases[chamber_nominated]).await?;
    Ok(DemoSet {
        logins: logins(),
        agencies: data::AGENCIES.len(),
        supporters: data::AGENCIES.iter().map(|a| a.staff.len()).sum(),
        companies: data::COMPANIES.len(),
        cases: cases.len(),
        case_list: cases,
        commands: loader.commands,
        events: loader.events,
        appended: loader.appended,
    })
}

/// The demo spans about 18 months before `today` and three years after it (consents, due
/// dates): refuse a `today` for which those are not valid days.
fn check_today(today: Day) -> Result<(), DemoError> {
    let fits = |days: i64| {
        today
            .date()
            .checked_add(time::Duration::days(days))
            .is_some_and(|d| Day::from_date(d).is_ok())
    };
    if fits(-800) && fits(1_500) {
        return Ok(());
    }
    Err(DemoError {
        subject: "デモデータ".to_owned(),
        action: "日付の計算",
        command_id: Uuid::nil(),
        source: Box::new(ExecuteError::Refused(Refusal::invalid(
            "today",
            format!("{today}を基準にするとデモの日付が1900年〜2100年の範囲を外れます。"),
        ))),
    })
}

// ---- ids -----------------------------------------------------------------------------------

/// The kinds of thing the demo names, the `KKKK` of its ids.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Agency = 1,
    Supporter = 2,
    Person = 3,
    Company = 4,
    Case = 5,
    Issue = 6,
    Measure = 7,
    Kpi = 8,
    Dialogue = 9,
    Handover = 10,
    Command = 0xc0,
}

/// `ba250de0-KKKK-8000-8000-NNNNNNNNNNNN`: a UUIDv8 (custom), the same on every run.
const fn demo_id(kind: Kind, n: u64) -> Uuid {
    Uuid::from_u128(
        (0xba25_0de0 << 96)
            | ((kind as u128) << 80)
            | (0x8000 << 64)
            | (0x8000 << 48)
            | (n as u128 & 0xffff_ffff_ffff),
    )
}

fn agency_id(key: u32) -> AgencyId {
    AgencyId(demo_id(Kind::Agency, u64::from(key)))
}

/// A supporter's number, the same in their supporter id and their person id.
fn staff_number(agency: u32, index: usize) -> u64 {
    u64::from(agency) * 100 + index as u64
}

fn staff_id(agency: u32, index: usize) -> SupporterId {
    SupporterId(demo_id(Kind::Supporter, staff_number(agency, index)))
}

/// Day `days` after `day`; the range was checked by [`check_today`].
fn add_days(day: Day, days: i64) -> Day {
    day.date()
        .checked_add(time::Duration::days(days))
        .and_then(|d| Day::from_date(d).ok())
        .expect("demo dates stay within the range check_today allows")
}

// ---- values --------------------------------------------------------------------------------
// The demo's texts are constants checked by its tests: a malformed one is a bug.

fn name(s: &str) -> Name {
    Name::parse(s).expect("demo names are valid")
}

fn title(s: &str) -> Title {
    Title::parse(s).expect("demo titles are valid")
}

fn text(s: &str) -> Text {
    Text::parse(s).expect("demo texts are valid")
}

fn reason(s: &str) -> Reason {
    Reason::parse(s).expect("demo reasons are valid")
}

fn line<const N: usize>(s: &str) -> Line<N> {
    Line::parse(s).expect("demo lines are valid")
}

fn kana(s: &str) -> Kana {
    Kana::parse(s).expect("demo kana are valid")
}

fn municipality(s: &str) -> Municipality {
    Municipality::parse(s).expect("demo municipalities are valid")
}

fn person(full_name: &str) -> PersonDetails {
    PersonDetails::named(PersonName::parse(full_name).expect("demo person names are valid"))
}

// ---- the loader ----------------------------------------------------------------------------

/// Issues the demo's commands with fixed ids and counts what they appended.
struct Loader<'a> {
    lifecycle: &'a Lifecycle,
    today: Day,
    /// Command ids are numbered per block: 0 for the set-up, the case number for a case.
    block: u32,
    step: u32,
    commands: usize,
    events: usize,
    appended: usize,
}

impl Loader<'_> {
    fn begin_block(&mut self, block: u32) {
        self.block = block;
        self.step = 0;
    }

    async fn exec(
        &mut self,
        actor: Actor,
        subject: &str,
        command: Command,
    ) -> Result<(), DemoError> {
        self.step += 1;
        debug_assert!(self.step < 1_000, "a block holds at most 999 commands");
        let command_id = demo_id(
            Kind::Command,
            u64::from(self.block) * 1_000 + u64::from(self.step),
        );
        let action = action(&command);
        let request = CommandRequest {
            command_id,
            actor,
            today: self.today,
            expected_case_version: None,
            command,
        };
        let executed = self
            .lifecycle
            .execute(request)
            .await
            .map_err(|source| DemoError {
                subject: subject.to_owned(),
                action,
                command_id,
                source: Box::new(source),
            })?;
        self.commands += 1;
        self.events += executed.events.len();
        if !executed.duplicate {
            self.appended += executed.events.len();
        }
        Ok(())
    }

    /// The policy office reviews the chamber's nominated case, accepts it, drafts its write-up
    /// as the generator suggests it, and publishes it, so that the catalogue has an example.
    async fn publish_example(&mut self, case: &DemoCase) -> Result<(), DemoError> {
        self.begin_block(PUBLICATION_BLOCK);
        let policy = logins()
            .into_iter()
            .find(|l| l.role == SupporterRole::PolicyOfficer)
            .expect("the demo has a policy officer");
        let actor = Actor::Supporter(policy.supporter_id);
        let write_up = self.generated_write_up(case).await?;
        let (case_id, on) = (case.case_id, self.today);
        let subject = case.company_name.as_str();
        let steps = [
            Command::ReviewExample {
                case_id,
                on,
                verdict: ReviewVerdict::Accept,
                comment: None,
            },
            Command::DraftExample {
                case_id,
                on,
                write_up,
            },
            Command::PublishExample { case_id, on },
        ];
        for command in steps {
            self.exec(actor, subject, command).await?;
        }
        Ok(())
    }

    /// The write-up `writeup::draft_with` generates for `case` from its events.
    async fn generated_write_up(&self, case: &DemoCase) -> Result<WriteUp, DemoError> {
        let load = |key: StreamKey| async move {
            self.lifecycle
                .load(key)
                .await
                .map(|(events, _)| events)
                .map_err(|source| DemoError {
                    subject: case.company_name.clone(),
                    action: "事例原稿の作成",
                    command_id: Uuid::nil(),
                    source: Box::new(source),
                })
        };
        let case_events = load(StreamKey::Case(case.case_id)).await?;
        let company_events = load(StreamKey::Company(case.company_id)).await?;
        let doc = CaseDoc::of_events(case_events.iter().map(|e| &e.event));
        let company = CompanyState::fold(company_events.iter().map(|e| &e.event));
        let statements: Vec<StatementsRow> = company
            .statements
            .iter()
            .map(|(year, statements)| StatementsRow {
                company_id: case.company_id,
                fiscal_year: *year,
                case_id: case.case_id,
                statements: statements.clone(),
                corrected: false,
            })
            .collect();
        let (industry, prefecture) = company_events
            .iter()
            .find_map(|e| match &e.event {
                DomainEvent::CompanyRegistered {
                    industry,
                    prefecture,
                    ..
                } => Some((*industry, *prefecture)),
                _ => None,
            })
            .expect("the demo registers its companies");
        let agency = data::agency(data::CHAMBER);
        Ok(writeup::draft_with(
            &DraftInput {
                doc: &doc,
                industry,
                prefecture,
                agency_name: agency.name,
                statements: &statements,
                side: ExampleSide::Good,
            },
            &DraftHints {
                agency_kind: Some(agency.kind),
                themes: &doc.issues.values().map(|i| i.theme).collect::<Vec<_>>(),
                ..DraftHints::default()
            },
        ))
    }

    /// The agencies and their supporters, registered by the operator.
    async fn set_up(&mut self) -> Result<(), DemoError> {
        self.begin_block(0);
        for agency in data::AGENCIES {
            let command = Command::RegisterAgency {
                agency_id: agency_id(agency.key),
                kind: agency.kind,
                name: name(agency.name),
                prefecture: agency.prefecture,
                municipality: Some(municipality(agency.city)),
                strengths: agency.strengths.to_vec(),
            };
            self.exec(Actor::Operator, agency.name, command).await?;
        }
        for agency in data::AGENCIES {
            for (index, staff) in agency.staff.iter().enumerate() {
                let supporter_id = staff_id(agency.key, index);
                let email = format!("{}@{}", staff.mail, agency.domain);
                let command = Command::RegisterSupporter {
                    supporter_id,
                    agency_id: agency_id(agency.key),
                    person: PersonId(demo_id(Kind::Person, staff_number(agency.key, index))),
                    role: staff.role,
                    details: PersonDetails {
                        kana: Some(kana(staff.kana)),
                        title: Some(line(staff.title)),
                        email: Some(Email::parse(&email).expect("demo e-mail addresses are valid")),
                        ..person(staff.name)
                    },
                };
                self.exec(Actor::Operator, staff.name, command).await?;
            }
        }
        Ok(())
    }
}

/// The supporters to sign in as.
fn logins() -> Vec<DemoLogin> {
    use SupporterRole::*;
    let mut wanted: Vec<(u32, SupporterRole, usize)> = data::BANKS
        .iter()
        .map(|&bank| (bank, HubSupporter, 0))
        .collect();
    wanted.extend([
        (data::CHAMBER, HubSupporter, 0),
        (data::YOROZU, HubSupporter, 0),
        (data::YOROZU, Expert, 1),
        (data::SAKITAMA, Administrator, 0),
        (data::BUREAU, PolicyOfficer, 0),
    ]);
    wanted
        .into_iter()
        .map(|(key, role, nth)| {
            let agency = data::agency(key);
            let (index, staff) = agency
                .staff
                .iter()
                .enumerate()
                .filter(|(_, s)| s.role == role)
                .nth(nth)
                .expect("the demo's agencies have the staff its logins name");
            DemoLogin {
                supporter_id: staff_id(key, index),
                agency_id: agency_id(key),
                role,
                agency_name: agency.name.to_owned(),
                person_name: staff.name.to_owned(),
            }
        })
        .collect()
}

/// What a command does, in Japanese, for error messages.
fn action(command: &Command) -> &'static str {
    use Command::*;
    match command {
        RegisterAgency { .. } => "支援機関の登録",
        DeclareStrengths { .. } => "得意分野の宣言",
        RegisterSupporter { .. } => "支援者の登録",
        ChangeSupporterRole { .. } => "支援者の役割変更",
        RecordSupporterDeparture { .. } => "支援者の離任",
        UpdateCompanyProfile { .. } => "企業情報の更新",
        RecordFinancialStatements { .. } => "決算情報の登録",
        RecordBenchmark { .. } => "ローカルベンチマークの記録",
        DiscoverCompany { .. } => "企業の発掘",
        LogOutreachVisit { .. } => "働きかけ訪問",
        ReachStartLine { .. } => "スタートライン到達",
        AmendConsent { .. } => "同意内容の変更",
        WithdrawConsent { .. } => "同意の撤回",
        HoldDialogue { .. } => "対話",
        SetIssue { .. } => "課題設定",
        ReviseIssue { .. } => "課題の見直し",
        DropIssue { .. } => "課題の取り下げ",
        ResolveIssue { .. } => "課題の解決",
        PrescribeMeasure { .. } => "施策の処方",
        AddTeamMember { .. } => "チームへの追加",
        RemoveTeamMember { .. } => "チームからの離脱",
        StartMeasure { .. } => "施策の開始",
        LogProgress { .. } => "施策の進捗",
        ReportStall { .. } => "施策の停滞",
        ResumeMeasure { .. } => "施策の再開",
        CompleteMeasure { .. } => "施策の完了",
        OvercomeWall { .. } => "壁の克服",
        MeasureKpi { .. } => "KPIの測定",
        HoldReview { .. } => "検証・見直し",
        ChangeSupporterInCharge { .. } => "担当者交代",
        RequestHandover { .. } => "引継ぎの依頼",
        AcceptHandover { .. } => "引継ぎの受諾",
        DeclineHandover { .. } => "引継ぎの辞退",
        WithdrawHandover { .. } => "引継ぎの取下げ",
        CompleteHandover { .. } => "引継ぎの完了",
        ReachSelfRunning { .. } => "自走化",
        CloseCase { .. } => "案件の終了",
        ReopenCase { .. } => "案件の再開",
        NominateGoodPractice { .. } => "好事例候補への推薦",
        RecordFailureCase { .. } => "失敗事例としての記録",
        NominateExample { .. } => "事例候補への選定",
        ReviewExample { .. } => "事例候補の審査",
        AnswerExampleQuestions { .. } => "審査の質問への回答",
        DraftExample { .. } => "事例原稿の作成",
        PublishExample { .. } => "事例の公開",
        WithdrawExample { .. } => "事例の公開取下げ",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use banso_events::domain::event::Envelope;
    use banso_events::domain::state::{CaseState, ExampleState};
    use banso_events::domain::vocab::{ExampleStatus, HandoverStatus};
    use banso_events::{EventStore, StoreConfig};

    use super::*;

    #[test]
    fn the_tables_have_the_shape_the_issue_asks_for() {
        let per_agency = |key| data::COMPANIES.iter().filter(|c| c.agency == key).count();
        let banks: Vec<_> = data::BANKS.iter().map(|&b| per_agency(b)).collect();
        assert_eq!(banks, [15, 15, 7, 3]);
        assert!(per_agency(data::CHAMBER) > 0 && per_agency(data::YOROZU) > 0);

        let stages: BTreeSet<_> = data::COMPANIES.iter().map(script::planned_stage).collect();
        assert_eq!(
            stages.len(),
            Stage::ALL.len(),
            "every stage is planned: {stages:?}"
        );

        // 法人番号 with valid check digits, one per corporation; none for 個人事業主.
        let mut numbers = BTreeSet::new();
        for (i, co) in data::COMPANIES.iter().enumerate() {
            let prefecture = data::agency(co.agency).prefecture;
            let number = script::corporate_number(i as u32 + 1, prefecture, co.name);
            assert!(numbers.insert(number.as_str().to_owned()), "{number} twice");
        }
        assert!(data::COMPANIES.iter().filter(|c| c.sole).count() >= 3);
    }

    #[test]
    fn ids_are_fixed_and_readable() {
        assert_eq!(
            agency_id(data::SAKITAMA).to_string(),
            "ba250de0-0001-8000-8000-000000000001"
        );
        assert_eq!(
            staff_id(data::AKAGI, 3).to_string(),
            "ba250de0-0002-8000-8000-0000000000cb"
        );
        assert_eq!(agency_id(data::SAKITAMA).0.get_version_num(), 8);
    }

    #[test]
    fn a_today_outside_the_calendar_is_refused_before_anything_runs() {
        let too_early = Day::parse("1901-01-01").unwrap();
        let error = check_today(too_early).unwrap_err();
        assert!(error.to_string().contains("1900年〜2100年"), "{error}");
    }

    /// Load the demo into `store`, check what the cases became, then load it again.
    async fn loads_and_reloads(store: EventStore, today: Day) {
        let lifecycle = Lifecycle::new(store.clone());
        let set = load(&lifecycle, today)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (set.agencies, set.supporters, set.companies, set.cases),
            (7, 29, 45, 45)
        );
        assert_eq!(set.case_list.len(), 45);
        assert_eq!(set.appended, set.events);
        assert!(set.events > 800, "{} events", set.events);

        let bank_names: BTreeMap<AgencyId, &str> = data::BANKS
            .iter()
            .map(|&b| (agency_id(b), data::agency(b).name))
            .collect();
        let mut found: BTreeMap<&str, usize> = BTreeMap::new();
        let mut stages = BTreeSet::new();
        let mut handovers: BTreeMap<HandoverStatus, usize> = BTreeMap::new();
        let (mut declined, mut overdue, mut nominated, mut failures) = (0, 0, 0, 0);
        for case in &set.case_list {
            let (events, _) = lifecycle.load(StreamKey::Case(case.case_id)).await.unwrap();
            let events: Vec<_> = events.into_iter().map(|e| e.event).collect();
            let state = CaseState::fold(&events);
            assert_eq!(state.stage(), case.stage, "{}", case.company_name);
            assert_eq!(state.holder, Some(case.holder), "{}", case.company_name);
            stages.insert(state.stage());
            for h in state.handovers.values() {
                *handovers.entry(h.status).or_default() += 1;
            }
            nominated += usize::from(state.nominated);
            failures += usize::from(state.failure_recorded);
            declined += events
                .iter()
                .filter(|e| matches!(e, DomainEvent::HandoverDeclined { .. }))
                .count();
            let next_review = events.iter().rev().find_map(|e| match e {
                DomainEvent::ReviewHeld { next_review_on, .. } => Some(*next_review_on),
                _ => None,
            });
            if state.stage() == Stage::Review && matches!(next_review, Some(Some(d)) if d < today) {
                overdue += 1;
            }
            // Every company a bank found at step zero was visited twice with an expert.
            if let Some(bank) = bank_names.get(&case.discovered_by) {
                *found.entry(bank).or_default() += 1;
                let with_expert = events
                    .iter()
                    .filter(|e| {
                        matches!(
                            e,
                            DomainEvent::OutreachVisitLogged {
                                expert: Some(_),
                                ..
                            }
                        )
                    })
                    .count();
                assert_eq!(with_expert, 2, "{}", case.company_name);
            }
            assert!(
                events
                    .iter()
                    .all(|e| event_day(e).is_none_or(|d| d <= today)),
                "{}: a fact dated after today",
                case.company_name
            );
        }
        let per_bank: Vec<_> = data::BANKS
            .iter()
            .map(|&b| found[data::agency(b).name])
            .collect();
        assert_eq!(per_bank, [15, 15, 7, 3]);
        assert_eq!(stages.len(), Stage::ALL.len(), "{stages:?}");
        // Accepted handovers were completed afterwards; one still waits for an answer.
        assert!(handovers[&HandoverStatus::Completed] >= 3, "{handovers:?}");
        assert_eq!(handovers[&HandoverStatus::Requested], 1, "{handovers:?}");
        assert!(declined >= 2 && handovers[&HandoverStatus::Declined] == declined);
        assert!(overdue >= 3, "{overdue} overdue reviews");
        assert!(nominated >= 2 && failures >= 1);

        // The logins are registered supporters of the agencies they name.
        assert!(set.logins.len() >= 8);
        for login in &set.logins {
            let (events, _) = lifecycle
                .load(StreamKey::Supporter(login.supporter_id))
                .await
                .unwrap();
            assert!(matches!(
                events[0].event,
                DomainEvent::SupporterRegistered { agency_id, role, .. }
                    if agency_id == login.agency_id && role == login.role
            ));
        }

        // One example is published, and its generated write-up carries nothing personal of
        // the whole demo: no company, person, corporate number, municipality, contact or
        // confidential note.
        let mut published = Vec::new();
        for case in &set.case_list {
            let (events, _) = lifecycle
                .load(StreamKey::Example(case.case_id))
                .await
                .unwrap();
            let example = ExampleState::fold(events.iter().map(|e| &e.event));
            if example.status == Some(ExampleStatus::Published) {
                published.push(example.draft.expect("published with a draft"));
            }
        }
        assert_eq!(published.len(), 1);
        let mut everything = Vec::new();
        let mut after = banso_events::Position::START;
        loop {
            let page = store.read_all(after, 1_000).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.position;
            for recorded in &page {
                everything.push(
                    <Envelope as banso_events::Event>::from_payload(
                        &recorded.event_type,
                        &recorded.payload,
                    )
                    .unwrap(),
                );
            }
        }
        let secrets = banso_projections::writeup::Secrets::from_events(&everything);
        assert!(secrets.len() > 100, "{secrets:?}");
        assert_eq!(
            banso_projections::writeup::check_write_up(&published[0], &secrets),
            Ok(()),
            "{:#?}",
            published[0]
        );
        assert!(
            published[0]
                .heading
                .as_str()
                .starts_with("【事例】A社（製造業・埼玉県）")
        );

        // Loading again, even on another day, appends nothing and answers the same.
        let head = store.head().await.unwrap();
        let again = load(&lifecycle, add_days(today, 3)).await.unwrap();
        assert_eq!(again.appended, 0);
        assert_eq!((again.events, again.commands), (set.events, set.commands));
        assert_eq!(again.logins, set.logins);
        assert_eq!(again.case_list, set.case_list);
        assert_eq!(store.head().await.unwrap(), head);
        store.close().await;
    }

    /// The day a case event is dated, if it has one.
    fn event_day(event: &DomainEvent) -> Option<Day> {
        let value = serde_json::to_value(event).ok()?;
        let fields = value.as_object()?.values().next()?;
        Day::parse(fields.get("on")?.as_str()?).ok()
    }

    /// A store in a new SQLite file, and the directory to remove afterwards.
    async fn sqlite_store() -> (EventStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("banso-demo-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("events.db").display());
        let store = EventStore::connect(&url, &StoreConfig::default())
            .await
            .unwrap();
        (store, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_loads_on_sqlite_today_and_loading_it_again_changes_nothing() {
        let (store, dir) = sqlite_store().await;
        loads_and_reloads(store, crate::clock::today_in_japan()).await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_database_that_contradicts_the_demo_fails_naming_the_step() {
        let (store, dir) = sqlite_store().await;
        let lifecycle = Lifecycle::new(store.clone());
        let today = crate::clock::today_in_japan();
        // Someone else registered an agency under the demo's first id.
        let other = Command::RegisterAgency {
            agency_id: agency_id(data::SAKITAMA),
            kind: banso_events::domain::vocab::AgencyKind::ChamberOfCommerce,
            name: name("別の商工会議所"),
            prefecture: banso_events::domain::japan::Prefecture::Saitama,
            municipality: None,
            strengths: vec![],
        };
        let request = CommandRequest {
            command_id: Uuid::now_v7(),
            actor: Actor::Operator,
            today,
            expected_case_version: None,
            command: other,
        };
        lifecycle.execute(request).await.unwrap();

        let error = load(&lifecycle, today).await.unwrap_err();
        assert_eq!(
            (error.subject.as_str(), error.action),
            ("さきたま信用金庫", "支援機関の登録")
        );
        assert!(
            matches!(&*error.source, ExecuteError::Refused(r) if r.rule == "agency_exists"),
            "{error:?}"
        );
        assert!(error.to_string().contains("登録済み"), "{error}");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// On PostgreSQL when `BANSO_TEST_POSTGRES_URL` is set, in a fresh schema, on a leap day.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_loads_on_postgres() {
        let Some(admin_url) = std::env::var("BANSO_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            eprintln!("BANSO_TEST_POSTGRES_URL is not set: skipping the PostgreSQL demo test");
            return;
        };
        let schema = format!("banso_demo_{}", Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        let mut config = StoreConfig::default();
        config.postgres.max_connections = config.postgres.max_connections.min(8);
        let store = EventStore::connect(&url, &config).await.unwrap();
        loads_and_reloads(store, Day::parse("2028-02-29").unwrap()).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}
