//! Good practice and failure cases (好事例・失敗事例): the candidates scored from evidence, the
//! collected cases under review, the write-up suggestion, and the published catalogue with
//! its exports.
//!
//! Who sees what: a policy officer sees every candidate and collected case, never a company
//! name or a person (the candidates carry the industry, prefecture, agency and evidence
//! only); a supporter sees the candidates and collected cases of the cases their agency may
//! see; the published catalogue, anonymised, is open to everyone signed in.

use std::collections::{BTreeMap, HashMap};

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use banso_events::domain::event::{DomainEvent, Envelope, StreamKey, WriteUp};
use banso_events::domain::ids::{AgencyId, CaseId};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::state::{CaseState, Fold};
use banso_events::domain::vocab::SupporterRole;
use banso_projections::models::examples::{
    CatalogueSearch, ExampleDoc, ExampleRow, NominationSource, StepKind,
};
use banso_projections::practice::{self, CandidateFilter, Signal, Weights};
use banso_projections::writeup::{self, DraftHints, DraftInput, Published, Secrets};
use uuid::Uuid;

use crate::context::{Principal, principal, services};
use crate::error::{bad_input, internal, no_access};
use crate::mutation::inputs::{day_opt, parse_opt};
use crate::objects::page_size;
use crate::vocab::{AgencyKind, ExampleSide, ExampleStatus, ReviewVerdict, Stage, Theme, Wall};

/// Who asks, as far as good practice is concerned.
#[derive(Clone, Copy)]
enum Viewer {
    /// A policy officer: every case, anonymised.
    Policy,
    /// A supporter: the cases their agency may see.
    Agency(AgencyId),
}

fn viewer(ctx: &Context<'_>) -> Result<Viewer> {
    match principal(ctx)? {
        Principal::Supporter {
            role: SupporterRole::PolicyOfficer,
            ..
        } => Ok(Viewer::Policy),
        Principal::Supporter { agency_id, .. } => Ok(Viewer::Agency(agency_id)),
        Principal::Operator => Err(no_access()),
    }
}

/// Refuse anyone but a policy officer, with the same `FORBIDDEN` as elsewhere.
pub(crate) fn policy_only(ctx: &Context<'_>) -> Result<()> {
    match viewer(ctx)? {
        Viewer::Policy => Ok(()),
        Viewer::Agency(_) => Err(no_access()),
    }
}

/// Refuse unless the viewer may see the collected case `case` (the same FORBIDDEN for a
/// foreign and a missing case).
async fn check_example_access(ctx: &Context<'_>, case: CaseId) -> Result<()> {
    match viewer(ctx)? {
        Viewer::Policy => Ok(()),
        Viewer::Agency(_) => crate::query::check_case_access(ctx, case).await,
    }
}

/// An `after` this list did not hand out.
fn bad_cursor() -> async_graphql::Error {
    bad_input(
        "after",
        "after にはこの一覧が返したカーソルを指定してください。",
    )
}

/// The queries of good practice (好事例).
#[derive(Default)]
pub struct PracticeQuery;

/// Which cases to score (候補の絞り込み). Every field given narrows the list.
#[derive(InputObject, Default)]
pub struct CandidateFilterInput {
    pub theme: Option<Theme>,
    pub wall: Option<Wall>,
    /// JSIC 大分類: the letter (E) or the name (製造業).
    pub industry: Option<String>,
    /// 都道府県: the name (埼玉県) or the JIS code (11).
    pub prefecture: Option<String>,
    /// The kind of agency holding the case.
    pub agency_kind: Option<AgencyKind>,
    /// 期間の開始: cases active on or after this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// 期間の終了: cases discovered on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
}

/// What to look for in the catalogue (事例集の検索). Every field given narrows the result.
#[derive(InputObject, Default)]
pub struct CatalogueSearchInput {
    /// 全文検索: words that must all appear (e.g. 事業承継, 社員), separated by spaces.
    pub text: Option<String>,
    pub side: Option<ExampleSide>,
    pub theme: Option<Theme>,
    pub wall: Option<Wall>,
    /// JSIC 大分類: the letter (E) or the name (製造業).
    pub industry: Option<String>,
    /// 都道府県: the name (埼玉県) or the JIS code (11).
    pub prefecture: Option<String>,
}

/// The format of an export (出力形式).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Markdown: one example, or the 事例集 grouped by theme.
    Markdown,
    /// JSON: one example, or an array of every published example.
    Json,
}

#[Object]
impl PracticeQuery {
    /// 好事例・失敗事例の候補: cases scored from the evidence in their events, best first, each
    /// with its explanation. `weights` (a JSON object keyed by signal id, see
    /// `practiceSignals`) tries other weights than the configured ones.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn practice_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "ExampleSide::Good")] side: ExampleSide,
        #[graphql(default)] filter: CandidateFilterInput,
        weights: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Candidate>> {
        let viewer = viewer(ctx)?;
        let services = services(ctx)?;
        let limit = page_size(first)?;
        let weights = match weights {
            Some(json) => {
                Weights::from_json(&json).map_err(|e| bad_input("weights", e.to_string()))?
            }
            None => (*services.weights).clone(),
        };
        let offset = match after.as_deref() {
            None => 0,
            Some(cursor) => cursor.parse::<usize>().map_err(|_| bad_cursor())?,
        };
        let filter = CandidateFilter {
            theme: filter.theme.map(Into::into),
            wall: filter.wall.map(Into::into),
            industry: parse_opt(
                "filter.industry",
                filter.industry.as_deref(),
                Industry::parse,
            )?,
            prefecture: parse_opt(
                "filter.prefecture",
                filter.prefecture.as_deref(),
                Prefecture::parse,
            )?,
            agency_kind: filter.agency_kind.map(Into::into),
            from: day_opt("filter.from", filter.from.as_deref())?,
            to: day_opt("filter.to", filter.to.as_deref())?,
            visible_to: match viewer {
                Viewer::Policy => None,
                Viewer::Agency(agency) => Some(agency),
            },
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(bad_input(
                "filter.to",
                "期間の終了日は開始日以降の日付にしてください。",
            ));
        }
        let found = services
            .read
            .candidates(&filter, side.into(), &weights, (services.today)())
            .await
            .map_err(|e| internal("could not score the candidates", e))?;
        let end = (offset + limit).min(found.len());
        let mut connection = Connection::new(offset > 0, end < found.len());
        connection.edges.extend(
            found
                .into_iter()
                .enumerate()
                .skip(offset)
                .take(limit)
                .map(|(i, c)| Edge::new((i + 1).to_string(), Candidate(c))),
        );
        Ok(connection)
    }

    /// 評価の観点と重み: every kind of evidence, its side, and the points it is worth now.
    async fn practice_signals(&self, ctx: &Context<'_>) -> Result<Vec<SignalInfo>> {
        viewer(ctx)?;
        let weights = &services(ctx)?.weights;
        Ok(Signal::ALL
            .iter()
            .map(|&s| SignalInfo {
                id: s.id().to_owned(),
                label: s.label().to_owned(),
                side: s.side().into(),
                points: weights.points(s),
            })
            .collect())
    }

    /// 収集中の事例: nominated cases and where they stand, most recently changed first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn collected_examples(
        &self,
        ctx: &Context<'_>,
        status: Option<ExampleStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, CollectedExample>> {
        let visible_to = match viewer(ctx)? {
            Viewer::Policy => None,
            Viewer::Agency(agency) => Some(agency),
        };
        let limit = page_size(first)?;
        let before = match after.as_deref() {
            None => None,
            Some(cursor) => Some(cursor.parse::<u64>().map_err(|_| bad_cursor())?),
        };
        let mut rows = services(ctx)?
            .read
            .examples(status.map(Into::into), visible_to, before, limit + 1)
            .await
            .map_err(|e| internal("could not list the collected cases", e))?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(row.updated_at.to_string(), CollectedExample(row))),
        );
        Ok(connection)
    }

    /// 収集中の事例（1件）.
    async fn collected_example(
        &self,
        ctx: &Context<'_>,
        case_id: Uuid,
    ) -> Result<CollectedExample> {
        let case = CaseId(case_id);
        check_example_access(ctx, case).await?;
        services(ctx)?
            .read
            .example(case)
            .await
            .map_err(|e| internal("could not read a collected case", e))?
            .map(CollectedExample)
            .ok_or_else(no_access)
    }

    /// 原稿の下書き案: a write-up generated from the case's events (policy officer), and what
    /// in it would still identify the company or a person, to be edited before it is saved.
    async fn example_draft_suggestion(
        &self,
        ctx: &Context<'_>,
        case_id: Uuid,
    ) -> Result<DraftSuggestion> {
        policy_only(ctx)?;
        let case = CaseId(case_id);
        let services = services(ctx)?;
        let example = services
            .read
            .example(case)
            .await
            .map_err(|e| internal("could not read a collected case", e))?
            .ok_or_else(no_access)?;
        let row = services
            .read
            .case(case)
            .await
            .map_err(|e| internal("could not read a case", e))?
            .ok_or_else(no_access)?;
        // The agencies the case names, by kind: the approach says 「信用金庫からよろず支援拠点へ」
        // without naming them.
        let state = &row.doc.state;
        let mut named: Vec<AgencyId> = vec![row.holder];
        named.extend(state.team.values().map(|m| m.agency_id));
        for h in state.handovers.values() {
            named.extend([h.from_agency, h.to_agency]);
        }
        let mut agency_kinds = BTreeMap::new();
        let mut agency_name = String::new();
        for id in named {
            if let Some(agency) = services
                .read
                .agency(id)
                .await
                .map_err(|e| internal("could not read an agency", e))?
            {
                if id == row.holder {
                    agency_name.clone_from(&agency.name);
                }
                agency_kinds.insert(id, agency.kind);
            }
        }
        let statements = services
            .read
            .statements(row.company_id)
            .await
            .map_err(|e| internal("could not read the statements", e))?;
        let (Some(industry), Some(prefecture)) = (row.industry, row.prefecture) else {
            return Err(bad_input(
                "caseId",
                "企業の業種・都道府県が登録されていないため、下書きを作れません。",
            ));
        };
        let write_up = writeup::draft_with(
            &DraftInput {
                doc: &row.doc,
                industry,
                prefecture,
                agency_name: &agency_name,
                statements: &statements,
                side: example.doc.side,
            },
            &DraftHints {
                agency_kinds: &agency_kinds,
                agency_kind: agency_kinds.get(&row.holder).copied(),
                themes: &example.doc.themes,
            },
        );
        let secrets = secrets_of(ctx, case).await?;
        let leaks = match writeup::check_write_up(&write_up, &secrets) {
            Ok(()) => Vec::new(),
            Err(found) => found.into_iter().map(LeakFound::from).collect(),
        };
        Ok(DraftSuggestion {
            write_up: WriteUpView(write_up),
            leaks,
        })
    }

    /// 事例集: the published cases matching `search`, in the order of publication, each
    /// relabelled with its own letter (A社, B社 ...). Open to everyone signed in.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] search: CatalogueSearchInput,
    ) -> Result<Vec<PublishedExample>> {
        principal(ctx)?;
        let search = CatalogueSearch {
            text: search.text.filter(|t| !t.trim().is_empty()),
            side: search.side.map(Into::into),
            theme: search.theme.map(Into::into),
            wall: search.wall.map(Into::into),
            industry: parse_opt(
                "search.industry",
                search.industry.as_deref(),
                Industry::parse,
            )?,
            prefecture: parse_opt(
                "search.prefecture",
                search.prefecture.as_deref(),
                Prefecture::parse,
            )?,
        };
        published(ctx, &search).await.map(|all| {
            all.into_iter()
                .map(|published| PublishedExample { published })
                .collect()
        })
    }

    /// 事例の出力: one published case (`caseId`) or the whole catalogue, as Markdown (the
    /// 事例集 grouped by theme) or JSON.
    async fn catalogue_export(
        &self,
        ctx: &Context<'_>,
        format: ExportFormat,
        case_id: Option<Uuid>,
    ) -> Result<String> {
        principal(ctx)?;
        let all = published(ctx, &CatalogueSearch::default()).await?;
        match case_id {
            Some(case) => {
                let one = all
                    .iter()
                    .find(|p| p.case_id == CaseId(case))
                    .ok_or_else(|| bad_input("caseId", "この案件の事例は公開されていません。"))?;
                Ok(match format {
                    ExportFormat::Markdown => writeup::to_markdown(one),
                    ExportFormat::Json => writeup::to_json(one).to_string(),
                })
            }
            None => Ok(match format {
                ExportFormat::Markdown => writeup::catalogue_markdown(&all, "伴走支援 好事例集"),
                ExportFormat::Json => {
                    serde_json::Value::Array(all.iter().map(writeup::to_json).collect()).to_string()
                }
            }),
        }
    }
}

/// Every published case matching `search`, numbered in the order of first publication over
/// the whole catalogue (so a case keeps its number and letter whatever the search).
async fn published(ctx: &Context<'_>, search: &CatalogueSearch) -> Result<Vec<Published>> {
    let read = &services(ctx)?.read;
    let numbers: HashMap<CaseId, usize> = read
        .catalogue_numbers()
        .await
        .map_err(|e| internal("could not number the catalogue", e))?
        .into_iter()
        .enumerate()
        .map(|(i, case)| (case, i + 1))
        .collect();
    let rows = read
        .catalogue(search)
        .await
        .map_err(|e| internal("could not search the catalogue", e))?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let number = *numbers.get(&row.doc.case_id)?;
            Some(Published {
                case_id: row.doc.case_id,
                number,
                side: row.doc.side,
                published_on: row.doc.published_on?,
                write_up: row.doc.published?,
            })
        })
        .collect())
}

/// What must not appear in a publication of `case`: the names, numbers, places and
/// confidential notes in its events and in the streams of its company, agencies and people.
pub(crate) async fn secrets_of(ctx: &Context<'_>, case: CaseId) -> Result<Secrets> {
    let lifecycle = &services(ctx)?.lifecycle;
    let load = |key: StreamKey| async move {
        lifecycle
            .load(key)
            .await
            .map(|(events, _)| events)
            .map_err(|e| internal("could not load a stream for the publication check", e))
    };
    let mut envelopes: Vec<Envelope> = load(StreamKey::Case(case)).await?;
    let state = CaseState::fold(envelopes.iter().map(|e| &e.event));
    let mut keys: Vec<StreamKey> = Vec::new();
    keys.extend(state.company_id.map(StreamKey::Company));
    keys.extend(state.holder.map(StreamKey::Agency));
    for h in state.handovers.values() {
        keys.push(StreamKey::Agency(h.from_agency));
        keys.push(StreamKey::Agency(h.to_agency));
    }
    for (supporter, member) in &state.team {
        keys.push(StreamKey::Supporter(*supporter));
        keys.push(StreamKey::Agency(member.agency_id));
    }
    keys.extend(state.in_charge.map(StreamKey::Supporter));
    keys.extend(envelopes.iter().filter_map(|e| match e.event {
        DomainEvent::CompanyDiscovered { discovered_by, .. } => {
            Some(StreamKey::Supporter(discovered_by))
        }
        _ => None,
    }));
    keys.sort();
    keys.dedup();
    for key in keys {
        envelopes.extend(load(key).await?);
    }
    Ok(Secrets::from_events(&envelopes))
}

/// Refuse a draft that would publish personal data of `case`, naming the field and what was
/// found in it.
pub(crate) async fn refuse_leaks(
    ctx: &Context<'_>,
    case: CaseId,
    write_up: &WriteUp,
) -> Result<()> {
    let secrets = secrets_of(ctx, case).await?;
    match writeup::check_write_up(write_up, &secrets) {
        Ok(()) => Ok(()),
        Err(found) => {
            let (field, _) = found[0];
            let list: Vec<String> = found
                .iter()
                .map(|(field, leak)| format!("{leak}（{}）", field_label(field)))
                .collect();
            Err(bad_input(
                format!("writeUp.{field}"),
                format!(
                    "原稿に会社や個人が特定できる情報が含まれています: {}。削除するか言い換えてから保存してください。",
                    list.join("、")
                ),
            ))
        }
    }
}

fn field_label(field: &str) -> &'static str {
    match field {
        "heading" => "見出し",
        "agency" => "支援機関",
        "issues" => "設定された課題",
        "approach" => "支援アプローチ",
        "changes" => "生まれた事業上の変化",
        _ => "原稿",
    }
}

/// A case scored as a candidate (好事例・失敗事例の候補).
pub struct Candidate(practice::Candidate);

#[Object]
impl Candidate {
    /// 案件ID: to nominate it, or (for its own agency) to open it.
    async fn case_id(&self) -> Uuid {
        self.0.case_id.0
    }
    /// 業種 (JSIC 大分類).
    async fn industry(&self) -> Option<String> {
        self.0.industry.map(|i| i.label().to_owned())
    }
    /// 都道府県.
    async fn prefecture(&self) -> Option<String> {
        self.0.prefecture.map(|p| p.name().to_owned())
    }
    /// 支援機関 holding the case.
    async fn agency_id(&self) -> Uuid {
        self.0.agency_id.0
    }
    async fn agency_name(&self) -> Option<&str> {
        self.0.agency_name.as_deref()
    }
    async fn agency_kind(&self) -> Option<AgencyKind> {
        self.0.agency_kind.map(Into::into)
    }
    async fn stage(&self) -> Stage {
        self.0.stage.into()
    }
    /// テーマ: of the case's issues.
    async fn themes(&self) -> Vec<Theme> {
        self.0.themes.iter().map(|&t| t.into()).collect()
    }
    /// 壁: met on its issues or measures.
    async fn walls(&self) -> Vec<Wall> {
        self.0.walls.iter().map(|&w| w.into()).collect()
    }
    /// 発掘日.
    async fn discovered_on(&self) -> Option<String> {
        self.0.discovered_on.map(|d| d.to_string())
    }
    /// 最終活動日.
    async fn last_activity_on(&self) -> Option<String> {
        self.0.last_activity_on.map(|d| d.to_string())
    }
    /// 好事例か失敗事例か.
    async fn side(&self) -> ExampleSide {
        self.0.score.side.into()
    }
    /// 評点: the sum of the contributions.
    async fn score(&self) -> f64 {
        self.0.score.total
    }
    /// 根拠: what counted and how much, largest first.
    async fn explanation(&self) -> Vec<ContributionView> {
        self.0
            .score
            .contributions
            .iter()
            .map(|c| ContributionView {
                signal: c.signal.id().to_owned(),
                label: c.signal.label().to_owned(),
                count: c.count as i32,
                points: c.points,
            })
            .collect()
    }
    /// 審査状況, if the case was nominated.
    async fn example_status(&self) -> Option<ExampleStatus> {
        self.0.example_status.map(Into::into)
    }
}

/// One kind of evidence in a score (根拠).
#[derive(SimpleObject)]
pub struct ContributionView {
    /// The signal's id (a key of the weights).
    pub signal: String,
    /// What it is, in Japanese.
    pub label: String,
    /// How many units the case shows.
    pub count: i32,
    /// The points it adds: count × weight.
    pub points: f64,
}

/// A kind of evidence and its weight now (評価の観点).
#[derive(SimpleObject)]
pub struct SignalInfo {
    pub id: String,
    pub label: String,
    pub side: ExampleSide,
    /// Points per unit.
    pub points: f64,
}

/// Who put a case forward (推薦元).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ExampleSource {
    /// 支援機関による推薦.
    Supporter,
    /// 政策担当による候補からの選定.
    PolicyOffice,
}

/// A step of a review (審査の経過).
#[derive(SimpleObject)]
pub struct ReviewStepView {
    pub on: String,
    pub by: Uuid,
    /// What happened, in Japanese (推薦, 採択, 差し戻し（質問あり）, 回答, 原稿作成, 公開, 公開取下げ ...).
    pub label: String,
    /// The verdict, for a review.
    pub verdict: Option<ReviewVerdict>,
    /// The reasons, questions, answers or withdrawal reason.
    pub text: Option<String>,
}

/// A nominated case on its way to the catalogue (収集中の事例).
pub struct CollectedExample(ExampleRow);

impl CollectedExample {
    fn doc(&self) -> &ExampleDoc {
        &self.0.doc
    }
}

#[Object]
impl CollectedExample {
    async fn case_id(&self) -> Uuid {
        self.doc().case_id.0
    }
    async fn side(&self) -> ExampleSide {
        self.doc().side.into()
    }
    async fn status(&self) -> ExampleStatus {
        self.doc().status.into()
    }
    async fn source(&self) -> ExampleSource {
        match self.doc().source {
            NominationSource::Supporter => ExampleSource::Supporter,
            NominationSource::PolicyOffice => ExampleSource::PolicyOffice,
        }
    }
    async fn nominated_on(&self) -> String {
        self.doc().nominated_on.to_string()
    }
    async fn themes(&self) -> Vec<Theme> {
        self.doc().themes.iter().map(|&t| t.into()).collect()
    }
    async fn walls(&self) -> Vec<Wall> {
        self.doc().walls.iter().map(|&w| w.into()).collect()
    }
    /// 推薦理由.
    async fn reasons(&self) -> &str {
        &self.doc().reasons
    }
    /// 教訓 (failure cases).
    async fn lessons(&self) -> Option<&str> {
        self.doc().lessons.as_deref()
    }
    /// 審査の経過, oldest first.
    async fn history(&self) -> Vec<ReviewStepView> {
        self.doc()
            .history
            .iter()
            .map(|step| {
                let (label, verdict) = match step.kind {
                    StepKind::Nominated => ("推薦", None),
                    StepKind::Reviewed(v) => (v.label(), Some(v.into())),
                    StepKind::Answered => ("質問への回答", None),
                    StepKind::Drafted => ("原稿作成", None),
                    StepKind::Published => ("公開", None),
                    StepKind::Withdrawn => ("公開取下げ", None),
                };
                ReviewStepView {
                    on: step.on.to_string(),
                    by: step.by.0,
                    label: label.to_owned(),
                    verdict,
                    text: step.text.clone(),
                }
            })
            .collect()
    }
    /// 現在の原稿.
    async fn draft(&self) -> Option<WriteUpView> {
        self.doc().draft.clone().map(WriteUpView)
    }
    /// 公開中（または最後に公開した）原稿.
    async fn published(&self) -> Option<WriteUpView> {
        self.doc().published.clone().map(WriteUpView)
    }
    async fn published_on(&self) -> Option<String> {
        self.doc().published_on.map(|d| d.to_string())
    }
}

/// A write-up (事例原稿) in the shape of seed 004.
pub struct WriteUpView(WriteUp);

#[Object]
impl WriteUpView {
    /// 見出し: 【事例】A社（業種・県）.
    async fn heading(&self) -> &str {
        self.0.heading.as_str()
    }
    /// 支援機関.
    async fn agency(&self) -> &str {
        self.0.agency.as_str()
    }
    /// 業種 (JSIC 大分類の名称).
    async fn industry(&self) -> &str {
        self.0.industry.label()
    }
    /// 都道府県.
    async fn prefecture(&self) -> &str {
        self.0.prefecture.name()
    }
    async fn themes(&self) -> Vec<Theme> {
        self.0.themes.iter().map(|&t| t.into()).collect()
    }
    async fn walls(&self) -> Vec<Wall> {
        self.0.walls.iter().map(|&w| w.into()).collect()
    }
    /// ＜設定された課題＞.
    async fn issues(&self) -> &str {
        self.0.issues.as_str()
    }
    /// ＜支援アプローチ＞.
    async fn approach(&self) -> &str {
        self.0.approach.as_str()
    }
    /// ＜生まれた事業上の変化＞.
    async fn changes(&self) -> &str {
        self.0.changes.as_str()
    }
}

/// Something in a write-up that would identify the company or a person (要修正箇所).
#[derive(SimpleObject)]
pub struct LeakFound {
    /// The write-up field: heading, agency, issues, approach or changes.
    pub field: String,
    /// What it is: 会社名, 人名, 法人番号, 市区町村, 秘匿メモ, 電話番号 ...
    pub kind: String,
    /// The text found.
    pub found: String,
}

impl From<(&'static str, writeup::Leak)> for LeakFound {
    fn from((field, leak): (&'static str, writeup::Leak)) -> Self {
        Self {
            field: field.to_owned(),
            kind: leak.kind.label().to_owned(),
            found: leak.found,
        }
    }
}

/// A generated write-up and what must still be edited out of it (原稿の下書き案).
#[derive(SimpleObject)]
pub struct DraftSuggestion {
    pub write_up: WriteUpView,
    /// Empty when nothing identifying was found.
    pub leaks: Vec<LeakFound>,
}

/// A published case of the catalogue (公開事例).
pub struct PublishedExample {
    published: Published,
}

#[Object]
impl PublishedExample {
    /// 事例番号: its place in the catalogue, in the order of publication.
    async fn number(&self) -> i32 {
        self.published.number as i32
    }
    /// The company's letter in the catalogue (A社, B社 ...).
    async fn company(&self) -> String {
        writeup::letter(self.published.number - 1)
    }
    async fn side(&self) -> ExampleSide {
        self.published.side.into()
    }
    async fn published_on(&self) -> String {
        self.published.published_on.to_string()
    }
    /// The write-up, with A社 relabelled to this case's own letter.
    async fn write_up(&self) -> WriteUpView {
        WriteUpView(writeup::relabelled(&self.published))
    }
    /// This case as Markdown.
    async fn markdown(&self) -> String {
        writeup::to_markdown(&self.published)
    }
}
