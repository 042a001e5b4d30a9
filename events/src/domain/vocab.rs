//! The closed vocabularies of the domain, each with its stable English id (stored in events)
//! and the Japanese label people read.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(
        $(#[$meta:meta])*
        pub enum $name:ident { $($variant:ident = ($id:literal, $label:literal),)* }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl $name {
            /// Every value, in the order people expect to see them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable id stored in events.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id,)* }
            }

            /// The Japanese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    )*};
}

/// Calls `$callback! { ... }` with the definition of every vocabulary, so that an adapter (the
/// GraphQL schema's enums) mirrors them, Japanese labels included, without repeating a variant.
/// The domain itself expands them with `vocabulary!`.
#[macro_export]
macro_rules! with_vocabularies {
    ($callback:ident) => {
        $callback! {
            /// Kinds of support agency (支援機関の種類).
            pub enum AgencyKind {
                RegionalBank = ("regional_bank", "地方銀行"),
                SecondRegionalBank = ("second_regional_bank", "第二地方銀行"),
                ShinkinBank = ("shinkin_bank", "信用金庫"),
                CreditCooperative = ("credit_cooperative", "信用組合"),
                GovernmentFinancialInstitution = ("government_financial_institution", "政府系金融機関"),
                CreditGuaranteeCorporation = ("credit_guarantee_corporation", "信用保証協会"),
                ChamberOfCommerce = ("chamber_of_commerce", "商工会議所"),
                SocietyOfCommerce = ("society_of_commerce", "商工会"),
                SmeFederation = ("sme_federation", "中小企業団体中央会"),
                YorozuSupportCenter = ("yorozu_support_center", "よろず支援拠点"),
                SuccessionSupportCenter = ("succession_support_center", "事業承継・引継ぎ支援センター"),
                Smrj = ("smrj", "中小企業基盤整備機構"),
                LicensedProfessional = ("licensed_professional", "士業"),
                PublicPrivateTeam = ("public_private_team", "官民合同チーム"),
                LocalGovernment = ("local_government", "自治体"),
                RegionalBureau = ("regional_bureau", "経済産業局"),
                SmeAgency = ("sme_agency", "中小企業庁"),
            }

            /// What an agency declares it is good at (役割分担).
            pub enum Strength {
                Succession = ("succession", "事業承継"),
                Financing = ("financing", "資金繰り・融資"),
                ItAdoption = ("it_adoption", "IT導入"),
                MarketDevelopment = ("market_development", "販路開拓"),
                Recruitment = ("recruitment", "人材確保"),
                BusinessPlanning = ("business_planning", "経営計画策定"),
                IntellectualProperty = ("intellectual_property", "知的財産"),
                Turnaround = ("turnaround", "事業再生"),
            }

            /// A supporter's role in their agency.
            pub enum SupporterRole {
                HubSupporter = ("hub_supporter", "ハブ支援者"),
                AccompanyingSupporter = ("accompanying_supporter", "伴走型支援者"),
                Expert = ("expert", "専門家"),
                PolicyOfficer = ("policy_officer", "政策担当"),
                Administrator = ("administrator", "管理者"),
            }

            /// How a company was found at step zero.
            pub enum DiscoveryChannel {
                FinancialInstitutionVisit = ("financial_institution_visit", "金融機関の訪問"),
                CommerceRound = ("commerce_round", "商工会巡回"),
                Seminar = ("seminar", "セミナー・ワークショップ参加"),
                Referral = ("referral", "紹介"),
                WalkIn = ("walk_in", "来訪相談"),
            }

            /// How a dialogue session took place.
            pub enum DialogueMode {
                Visit = ("visit", "訪問"),
                AtAgency = ("at_agency", "来訪"),
                Online = ("online", "オンライン"),
                Phone = ("phone", "電話"),
            }

            /// The five walls to self-transformation (自己変革への5つの壁).
            pub enum Wall {
                Invisible = ("invisible", "見えない"),
                NotFacing = ("not_facing", "向き合わない"),
                CannotExecute = ("cannot_execute", "実行できない"),
                NotFollowing = ("not_following", "付いてこない"),
                Lacking = ("lacking", "足りない"),
            }

            /// Themes that classify issues and good-practice cases.
            pub enum Theme {
                BusinessEvaluation = ("business_evaluation", "事業性評価"),
                BusinessPlanning = ("business_planning", "事業計画策定"),
                Succession = ("succession", "事業承継"),
                ItAdoption = ("it_adoption", "IT導入"),
                ManagementImprovement = ("management_improvement", "経営改善"),
                Productivity = ("productivity", "生産性向上"),
                Recruitment = ("recruitment", "人材確保"),
                MarketDevelopment = ("market_development", "販路開拓"),
                Turnaround = ("turnaround", "事業再生"),
                BusinessMatching = ("business_matching", "ビジネスマッチング"),
            }

            /// How urgent an issue is.
            pub enum Priority {
                High = ("high", "高"),
                Medium = ("medium", "中"),
                Low = ("low", "低"),
            }

            /// Kinds of measure in a prescription (処方箋).
            pub enum MeasureKind {
                ExpertDispatch = ("expert_dispatch", "専門家派遣"),
                Subsidy = ("subsidy", "補助金"),
                Loan = ("loan", "融資"),
                BusinessPlanning = ("business_planning", "経営計画策定"),
                SuccessionSupport = ("succession_support", "事業承継支援"),
                ItAdoption = ("it_adoption", "IT導入"),
                BusinessMatching = ("business_matching", "ビジネスマッチング"),
                Training = ("training", "研修・人材育成"),
                MarketDevelopment = ("market_development", "販路開拓"),
                Other = ("other", "その他"),
            }

            /// A team member's role on a case (チーム編成).
            pub enum TeamRole {
                HubSupporter = ("hub_supporter", "ハブ支援者"),
                AccompanyingSupporter = ("accompanying_supporter", "伴走型支援者"),
                Expert = ("expert", "専門家"),
                PartnerAgency = ("partner_agency", "連携機関"),
            }

            /// Where a measure stands.
            pub enum MeasureStatus {
                Planned = ("planned", "未着手"),
                InProgress = ("in_progress", "実行中"),
                Stalled = ("stalled", "停滞"),
                Completed = ("completed", "完了"),
            }

            /// Where an issue stands.
            pub enum IssueStatus {
                Open = ("open", "対応中"),
                Resolved = ("resolved", "解決"),
                Dropped = ("dropped", "取り下げ"),
            }

            /// Why a case was closed.
            pub enum ClosingOutcome {
                SelfRunning = ("self_running", "自走化達成"),
                GoalAchieved = ("goal_achieved", "目標達成"),
                Transferred = ("transferred", "他機関へ移管"),
                Suspended = ("suspended", "支援中断"),
                ClosedBusiness = ("closed_business", "廃業"),
                SuccessionCompleted = ("succession_completed", "事業承継完了"),
                Other = ("other", "その他"),
            }

            /// What the owner's consent lets the case data be used for.
            pub enum Purpose {
                Support = ("support", "支援の実施"),
                Handover = ("handover", "他機関への引継ぎ"),
                ExpertDispatch = ("expert_dispatch", "専門家派遣"),
                GoodPractice = ("good_practice", "好事例の収集（匿名化）"),
                Statistics = ("statistics", "政策統計（匿名化）"),
            }

            /// The stage of a case in the support flow.
            pub enum Stage {
                StepZero = ("step_zero", "ステップ・ゼロ"),
                IssueSetting = ("issue_setting", "課題設定"),
                Prescription = ("prescription", "処方箋の検討"),
                Execution = ("execution", "対策実行"),
                Review = ("review", "検証・見直し"),
                SelfRunning = ("self_running", "自走化"),
                Closed = ("closed", "終了"),
            }

            /// Where a handover between agencies stands.
            pub enum HandoverStatus {
                Requested = ("requested", "依頼中"),
                Accepted = ("accepted", "受諾"),
                Declined = ("declined", "辞退"),
                Withdrawn = ("withdrawn", "取下げ"),
                Completed = ("completed", "完了"),
            }

            /// Which catalogue a collected case is meant for.
            pub enum ExampleSide {
                Good = ("good", "好事例"),
                Failure = ("failure", "失敗事例"),
            }

            /// A policy officer's verdict on a nominated case (審査結果).
            pub enum ReviewVerdict {
                Accept = ("accept", "採択"),
                SendBack = ("send_back", "差し戻し（質問あり）"),
                Reject = ("reject", "不採択"),
            }

            /// Where a collected case stands on its way to the catalogue.
            pub enum ExampleStatus {
                Nominated = ("nominated", "審査待ち"),
                SentBack = ("sent_back", "差し戻し中"),
                Accepted = ("accepted", "採択"),
                Rejected = ("rejected", "不採択"),
                Published = ("published", "公開中"),
                Withdrawn = ("withdrawn", "公開取下げ"),
            }

            /// A person from the company who takes part in the support.
            pub enum CompanyRole {
                Owner = ("owner", "経営者"),
                Successor = ("successor", "後継者"),
                Executive = ("executive", "役員"),
                Employee = ("employee", "従業員"),
                Other = ("other", "その他"),
            }
        }
    };
}

with_vocabularies!(vocabulary);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_labels_are_unique_within_each_vocabulary() {
        fn check<T: Copy>(all: &[T], id: fn(T) -> &'static str, label: fn(T) -> &'static str) {
            let ids: std::collections::HashSet<_> = all.iter().map(|v| id(*v)).collect();
            let labels: std::collections::HashSet<_> = all.iter().map(|v| label(*v)).collect();
            assert_eq!(ids.len(), all.len());
            assert_eq!(labels.len(), all.len());
        }
        check(AgencyKind::ALL, AgencyKind::id, AgencyKind::label);
        check(Wall::ALL, Wall::id, Wall::label);
        check(Theme::ALL, Theme::id, Theme::label);
        check(MeasureKind::ALL, MeasureKind::id, MeasureKind::label);
        check(Stage::ALL, Stage::id, Stage::label);
        check(
            ClosingOutcome::ALL,
            ClosingOutcome::id,
            ClosingOutcome::label,
        );
    }

    #[test]
    fn values_are_stored_by_their_english_id() {
        assert_eq!(
            serde_json::to_string(&Wall::NotFollowing).unwrap(),
            "\"not_following\""
        );
        assert_eq!(Wall::NotFollowing.label(), "付いてこない");
        assert!(serde_json::from_str::<Wall>("\"見えない\"").is_err());
    }
}
