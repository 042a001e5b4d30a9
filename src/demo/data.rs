//! The demo's content as tables: the seven agencies with their staff, the 45 companies with
//! the plan each case follows, and six support stories (issues, walls, measures, KPIs, reviews)
//! that the cases are written from. No logic here beyond small lookups.

use banso_events::domain::japan::Industry::{self, *};
use banso_events::domain::japan::Prefecture;
use banso_events::domain::localbench::PerspectiveItem::{self, *};
use banso_events::domain::vocab::{
    AgencyKind, ClosingOutcome, MeasureKind, Priority, Strength, SupporterRole, Theme, Wall,
};

// ---- agencies and their people -------------------------------------------------------------

/// The agencies' keys: the `n` of their ids, and how the company table names its agency.
pub(super) const SAKITAMA: u32 = 1;
pub(super) const AKAGI: u32 = 2;
pub(super) const YASHU: u32 = 3;
pub(super) const NAKAMINATO: u32 = 4;
pub(super) const CHAMBER: u32 = 5;
pub(super) const YOROZU: u32 = 6;
pub(super) const BUREAU: u32 = 7;

/// The four shinkin banks of the step-zero project.
pub(super) const BANKS: [u32; 4] = [SAKITAMA, AKAGI, YASHU, NAKAMINATO];

pub(super) struct Staff {
    pub role: SupporterRole,
    pub name: &'static str,
    pub kana: &'static str,
    /// 役職.
    pub title: &'static str,
    /// The part of the e-mail address before the agency's domain.
    pub mail: &'static str,
}

pub(super) struct AgencySpec {
    pub key: u32,
    pub kind: AgencyKind,
    pub name: &'static str,
    pub prefecture: Prefecture,
    pub city: &'static str,
    pub domain: &'static str,
    pub strengths: &'static [Strength],
    pub staff: &'static [Staff],
}

const fn staff(
    role: SupporterRole,
    name: &'static str,
    kana: &'static str,
    title: &'static str,
    mail: &'static str,
) -> Staff {
    Staff {
        role,
        name,
        kana,
        title,
        mail,
    }
}

use SupporterRole::{
    AccompanyingSupporter as Acc, Administrator as Admin, Expert, HubSupporter as Hub,
    PolicyOfficer as Policy,
};

#[rustfmt::skip]
pub(super) const AGENCIES: &[AgencySpec] = &[
    AgencySpec {
        key: SAKITAMA, kind: AgencyKind::ShinkinBank, name: "さきたま信用金庫",
        prefecture: Prefecture::Saitama, city: "行田市", domain: "sakitama-shinkin.example.jp",
        strengths: &[Strength::Financing, Strength::Succession, Strength::BusinessPlanning],
        staff: &[
            staff(Hub, "佐藤 美咲", "サトウ ミサキ", "地域創生部 調査役", "m.sato"),
            staff(Acc, "鈴木 大輔", "スズキ ダイスケ", "行田支店 渉外係", "d.suzuki"),
            staff(Acc, "高橋 由美", "タカハシ ユミ", "熊谷支店 渉外係", "y.takahashi"),
            staff(Expert, "田中 健一", "タナカ ケンイチ", "地域創生部 中小企業診断士", "k.tanaka"),
            staff(Admin, "伊藤 誠", "イトウ マコト", "地域創生部長", "m.ito"),
        ],
    },
    AgencySpec {
        key: AKAGI, kind: AgencyKind::ShinkinBank, name: "赤城やまなみ信用金庫",
        prefecture: Prefecture::Gunma, city: "前橋市", domain: "akagi-yamanami.example.jp",
        strengths: &[Strength::Financing, Strength::Turnaround],
        staff: &[
            staff(Hub, "渡辺 直樹", "ワタナベ ナオキ", "企業支援室 室長代理", "n.watanabe"),
            staff(Acc, "山本 彩", "ヤマモト アヤ", "桐生支店 渉外係", "a.yamamoto"),
            staff(Acc, "中村 拓也", "ナカムラ タクヤ", "高崎支店 渉外係", "t.nakamura"),
            staff(Expert, "小林 智子", "コバヤシ トモコ", "企業支援室 中小企業診断士", "t.kobayashi"),
            staff(Admin, "加藤 浩", "カトウ ヒロシ", "営業推進部長", "h.kato"),
        ],
    },
    AgencySpec {
        key: YASHU, kind: AgencyKind::ShinkinBank, name: "とちぎ野州信用金庫",
        prefecture: Prefecture::Tochigi, city: "宇都宮市", domain: "tochigi-yashu.example.jp",
        strengths: &[Strength::Financing, Strength::Succession],
        staff: &[
            staff(Hub, "吉田 真理", "ヨシダ マリ", "経営支援課 課長", "m.yoshida"),
            staff(Acc, "山田 翔", "ヤマダ ショウ", "鹿沼支店 渉外係", "s.yamada"),
            staff(Expert, "佐々木 隆", "ササキ タカシ", "経営支援課 中小企業診断士", "t.sasaki"),
            staff(Admin, "山口 恵", "ヤマグチ メグミ", "業務部長", "m.yamaguchi"),
        ],
    },
    AgencySpec {
        key: NAKAMINATO, kind: AgencyKind::ShinkinBank, name: "常陸なかみなと信用金庫",
        prefecture: Prefecture::Ibaraki, city: "ひたちなか市", domain: "hitachi-nakaminato.example.jp",
        strengths: &[Strength::Financing],
        staff: &[
            staff(Hub, "松本 健太", "マツモト ケンタ", "営業推進課 主任", "k.matsumoto"),
            staff(Acc, "井上 さくら", "イノウエ サクラ", "那珂湊支店 渉外係", "s.inoue"),
            staff(Expert, "木村 亮", "キムラ リョウ", "営業推進課 中小企業診断士", "r.kimura"),
            staff(Admin, "林 和夫", "ハヤシ カズオ", "総務部長", "k.hayashi"),
        ],
    },
    AgencySpec {
        key: CHAMBER, kind: AgencyKind::ChamberOfCommerce, name: "北武蔵商工会議所",
        prefecture: Prefecture::Saitama, city: "熊谷市", domain: "kitamusashi-cci.example.jp",
        strengths: &[Strength::MarketDevelopment, Strength::BusinessPlanning, Strength::Succession],
        staff: &[
            staff(Hub, "清水 健二", "シミズ ケンジ", "中小企業相談所 経営指導員", "k.shimizu"),
            staff(Acc, "森 優子", "モリ ユウコ", "中小企業相談所 経営指導員", "y.mori"),
            staff(Expert, "池田 修", "イケダ オサム", "登録専門家（税理士）", "o.ikeda"),
            staff(Admin, "橋本 隆之", "ハシモト タカユキ", "事務局長", "t.hashimoto"),
        ],
    },
    AgencySpec {
        key: YOROZU, kind: AgencyKind::YorozuSupportCenter, name: "埼玉県よろず支援拠点",
        prefecture: Prefecture::Saitama, city: "さいたま市", domain: "saitama-yorozu.example.jp",
        strengths: &[Strength::ItAdoption, Strength::MarketDevelopment, Strength::Recruitment, Strength::BusinessPlanning],
        staff: &[
            staff(Hub, "中島 陽子", "ナカジマ ヨウコ", "チーフコーディネーター", "y.nakajima"),
            staff(Acc, "石川 大樹", "イシカワ ダイキ", "コーディネーター", "d.ishikawa"),
            staff(Expert, "前田 一郎", "マエダ イチロウ", "コーディネーター（中小企業診断士）", "i.maeda"),
            staff(Expert, "藤田 愛", "フジタ アイ", "コーディネーター（ITコーディネータ）", "a.fujita"),
            staff(Admin, "岡田 美穂", "オカダ ミホ", "事務局", "m.okada"),
        ],
    },
    AgencySpec {
        key: BUREAU, kind: AgencyKind::RegionalBureau, name: "関東経済産業局",
        prefecture: Prefecture::Saitama, city: "さいたま市", domain: "kanto-meti.example.jp",
        strengths: &[],
        staff: &[
            staff(Policy, "後藤 裕子", "ゴトウ ユウコ", "産業部 中小企業課 課長補佐", "y.goto"),
            staff(Admin, "長谷川 徹", "ハセガワ トオル", "産業部 中小企業課", "t.hasegawa"),
        ],
    },
];

pub(super) fn agency(key: u32) -> &'static AgencySpec {
    AGENCIES
        .iter()
        .find(|a| a.key == key)
        .expect("the company table names agencies of the agency table")
}

/// Index in its agency's staff of the よろず expert the step-zero project sends on the second
/// outreach visit (中小企業診断士), and of the IT coordinator who joins IT cases.
pub(super) const PROJECT_EXPERT: usize = 2;
pub(super) const IT_EXPERT: usize = 3;

// ---- plans ---------------------------------------------------------------------------------

/// How far a case has gone by today. Each depth includes the steps of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Depth {
    /// Discovered, two outreach visits.
    StepZero,
    /// The start line with consent, and a first dialogue.
    StartLine,
    /// A second dialogue, two years of statements, the Local Benchmark, issues with walls.
    Issues,
    /// A prescription with KPIs, started; one measure stalled on a wall.
    Stalled,
    /// The wall overcome, the measure resumed, a KPI measured.
    Executing,
    /// Every measure completed and a review held; `overdue`: its next review date has passed.
    Reviewed { overdue: bool },
    /// A second review.
    SecondReview,
    /// Self-running reached.
    SelfRunning,
}

impl Depth {
    pub(super) fn rank(self) -> u8 {
        match self {
            Depth::StepZero => 0,
            Depth::StartLine => 1,
            Depth::Issues => 2,
            Depth::Stalled => 3,
            Depth::Executing => 4,
            Depth::Reviewed { .. } => 5,
            Depth::SecondReview => 6,
            Depth::SelfRunning => 7,
        }
    }

    pub(super) fn reached(self, other: Depth) -> bool {
        self.rank() >= other.rank()
    }
}

/// The receiving agency of a handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Receiver {
    Yorozu,
    Chamber,
}

impl Receiver {
    pub(super) fn key(self) -> u32 {
        match self {
            Receiver::Yorozu => YOROZU,
            Receiver::Chamber => CHAMBER,
        }
    }
}

/// What else happens in a case besides the support flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Twist {
    None,
    /// 担当者交代 within the agency.
    ChangeInCharge,
    /// A handover accepted (the sender stays on the team) and completed.
    Handover(Receiver),
    /// A handover declined: the case stays with the sender.
    Declined(Receiver),
    /// Declined by the chamber, then accepted by the よろず支援拠点.
    DeclinedThenAccepted,
    /// A handover waiting for the receiver's answer.
    Pending(Receiver),
    /// Nominated as a good-practice case (好事例候補).
    Nominate,
}

/// Whether the case is closed, with what outcome and note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Open,
    Close(ClosingOutcome, &'static str),
}

// ---- companies -----------------------------------------------------------------------------

pub(super) struct CompanySpec {
    pub agency: u32,
    pub name: &'static str,
    pub kana: &'static str,
    pub industry: Industry,
    pub city: &'static str,
    pub employees: i64,
    pub founded: i64,
    /// 個人事業主 (no 法人番号).
    pub sole: bool,
    /// The representative: name and kana.
    pub owner: (&'static str, &'static str),
    pub strength: &'static str,
    pub concern: &'static str,
    pub story: StoryKey,
    pub depth: Depth,
    pub twist: Twist,
    pub end: End,
}

use ClosingOutcome as Out;
use Depth::*;
use StoryKey::*;

const NO: Twist = Twist::None;
const OPEN: End = End::Open;
const OVERDUE: Depth = Reviewed { overdue: true };
const REVIEWED: Depth = Reviewed { overdue: false };

macro_rules! co {
    ($agency:expr, $name:literal, $kana:literal, $industry:expr, $city:literal, $employees:literal,
     $founded:literal, $sole:literal, ($owner:literal, $owner_kana:literal), $strength:literal,
     $concern:literal, $story:expr, $depth:expr, $twist:expr, $end:expr) => {
        CompanySpec {
            agency: $agency,
            name: $name,
            kana: $kana,
            industry: $industry,
            city: $city,
            employees: $employees,
            founded: $founded,
            sole: $sole,
            owner: ($owner, $owner_kana),
            strength: $strength,
            concern: $concern,
            story: $story,
            depth: $depth,
            twist: $twist,
            end: $end,
        }
    };
}

/// Every company, in case-number order (case n is `COMPANIES[n - 1]`): 15, 15, 7 and 3 found
/// by the four shinkin banks at step zero, three by the chamber, two at the よろず支援拠点.
#[rustfmt::skip]
pub(super) const COMPANIES: &[CompanySpec] = &[
    // ---- さきたま信用金庫 (埼玉県): 15
    co!(SAKITAMA, "株式会社行田足袋工房", "ギョウダタビコウボウ", Manufacturing, "行田市", 18, 1952, false, ("足立 正男", "アダチ マサオ"),
        "足袋の伝統製法と熟練職人の縫製技術", "和装需要の縮小で売上が年々減っている",
        Market, SelfRunning, Twist::Nominate, End::Close(Out::SelfRunning, "自走化を確認し、伴走支援を終了した。以後は日常の取引の中で見守る。")),
    co!(SAKITAMA, "熊谷精機株式会社", "クマガヤセイキ", Manufacturing, "熊谷市", 42, 1971, false, ("青木 隆", "アオキ タカシ"),
        "航空機部品の精密切削と品質保証体制", "製品ごとの利益が分からず、値決めに自信がない",
        Costing, SelfRunning, Twist::ChangeInCharge, OPEN),
    co!(SAKITAMA, "株式会社鴻巣フラワーファーム", "コウノスフラワーファーム", Agriculture, "鴻巣市", 12, 1988, false, ("関根 洋子", "セキネ ヨウコ"),
        "花き栽培の技術と市場からの品質への信頼", "燃料費の高騰で利益が出ず、返済が重い",
        Turnaround, OVERDUE, NO, OPEN),
    co!(SAKITAMA, "有限会社羽生衣料", "ハニュウイリョウ", Manufacturing, "羽生市", 25, 1965, false, ("野口 勝", "ノグチ マサル"),
        "学生服の縫製技術と短納期対応", "社長が高齢で、後継者が決まっていない",
        Succession, REVIEWED, NO, OPEN),
    co!(SAKITAMA, "株式会社加須うどん本舗", "カゾウドンホンポ", Manufacturing, "加須市", 30, 1978, false, ("篠崎 修一", "シノザキ シュウイチ"),
        "手打ちの食感を再現した製麺技術", "量販店からの値下げ要求が厳しく、利益が残らない",
        Market, Executing, Twist::Handover(Receiver::Chamber), OPEN),
    co!(SAKITAMA, "深谷建設株式会社", "フカヤケンセツ", Construction, "深谷市", 35, 1969, false, ("茂木 正樹", "モテギ マサキ"),
        "公共工事の施工実績と地元からの信頼", "現場監督が足りず、受注を断っている",
        ItProductivity, REVIEWED, Twist::Handover(Receiver::Yorozu), OPEN),
    co!(SAKITAMA, "本庄運輸株式会社", "ホンジョウウンユ", TransportPostal, "本庄市", 48, 1975, false, ("長島 浩二", "ナガシマ コウジ"),
        "冷凍・冷蔵輸送の車両と運行管理のノウハウ", "運転手の残業規制への対応が進まない",
        ItProductivity, Stalled, NO, OPEN),
    co!(SAKITAMA, "株式会社熊谷ベーカリー工房", "クマガヤベーカリーコウボウ", WholesaleRetail, "熊谷市", 14, 1996, false, ("荻野 恵子", "オギノ ケイコ"),
        "地元産小麦の食パンと根強い固定客", "原材料の値上がりで利益が圧迫されている",
        Turnaround, Executing, Twist::Pending(Receiver::Yorozu), OPEN),
    co!(SAKITAMA, "合同会社ケアサポート行田", "ケアサポートギョウダ", MedicalWelfare, "行田市", 40, 2008, false, ("内田 美和", "ウチダ ミワ"),
        "看護師と連携した地域密着の訪問介護", "介護職員が定着せず、新規の利用者を断っている",
        Recruitment, Executing, Twist::DeclinedThenAccepted, OPEN),
    co!(SAKITAMA, "株式会社鴻巣印刷", "コウノスインサツ", Manufacturing, "鴻巣市", 22, 1962, false, ("岩崎 孝雄", "イワサキ タカオ"),
        "小ロット印刷と地元企業との長い取引", "紙媒体の受注減少と設備の老朽化",
        Succession, Issues, NO, End::Close(Out::Transferred, "親族内に後継者がおらず、第三者承継を希望された。事業承継・引継ぎ支援センター（Banso未利用）へ移管した。")),
    co!(SAKITAMA, "羽生モータース", "ハニュウモータース", OtherServices, "羽生市", 4, 1985, true, ("小暮 茂", "コグレ シゲル"),
        "車検・整備の確かな技術と地域の常連客", "後継者がおらず、廃業も考えている",
        Succession, StepZero, NO, OPEN),
    co!(SAKITAMA, "株式会社深谷ねぎ農園", "フカヤネギノウエン", Agriculture, "深谷市", 9, 2012, false, ("飯塚 大地", "イイヅカ ダイチ"),
        "深谷ねぎのブランドと飲食店への直販ルート", "規模を拡大したいが、人手と資金が足りない",
        Recruitment, StepZero, NO, OPEN),
    co!(SAKITAMA, "有限会社本庄石材", "ホンジョウセキザイ", Manufacturing, "本庄市", 7, 1958, false, ("森田 清", "モリタ キヨシ"),
        "墓石・石材加工の職人技術", "墓じまいの増加で需要が減っている",
        Market, StepZero, NO, OPEN),
    co!(SAKITAMA, "株式会社加須ホームテック", "カゾホームテック", Construction, "加須市", 16, 2001, false, ("栗原 淳", "クリハラ ジュン"),
        "水回りを中心とした住宅リフォームの提案力", "見積もりと工程管理が社長一人に集中している",
        ItProductivity, Issues, NO, OPEN),
    co!(SAKITAMA, "さきたま珈琲", "サキタマコーヒー", AccommodationFood, "行田市", 3, 2016, true, ("吉川 千尋", "ヨシカワ チヒロ"),
        "自家焙煎の珈琲と古墳巡りの観光客", "売上の波が大きく、資金繰りが不安",
        Turnaround, StartLine, NO, OPEN),
    // ---- 赤城やまなみ信用金庫 (群馬県): 15
    co!(AKAGI, "桐生織物株式会社", "キリュウオリモノ", Manufacturing, "桐生市", 28, 1948, false, ("星野 和彦", "ホシノ カズヒコ"),
        "ジャカード織の高度な技術とデザイン力", "問屋経由の受注が減り、新しい販路がない",
        Market, SelfRunning, Twist::Nominate, OPEN),
    co!(AKAGI, "株式会社前橋製作所", "マエバシセイサクショ", Manufacturing, "前橋市", 55, 1966, false, ("須藤 健", "スドウ ケン"),
        "自動車用プレス金型の設計・製作", "EVシフトで主要取引先の発注が読めない",
        Costing, SecondReview, NO, End::Close(Out::GoalAchieved, "製品別採算の管理と改善活動が定着し、設定した目標をすべて達成した。")),
    co!(AKAGI, "株式会社伊香保みどり館", "イカホミドリカン", AccommodationFood, "渋川市", 38, 1955, false, ("狩野 由紀子", "カノウ ユキコ"),
        "源泉かけ流しの湯と料理長の郷土料理", "コロナ禍の借入の返済と人手不足",
        Turnaround, Executing, Twist::Declined(Receiver::Yorozu), OPEN),
    co!(AKAGI, "沼田りんご園株式会社", "ヌマタリンゴエン", Agriculture, "沼田市", 11, 1979, false, ("角田 守", "ツノダ マモル"),
        "りんご栽培の技術と自社加工のシードル", "観光農園の来園者が減っている",
        Market, OVERDUE, NO, OPEN),
    co!(AKAGI, "株式会社伊勢崎電設", "イセサキデンセツ", Construction, "伊勢崎市", 24, 1983, false, ("石原 勇", "イシハラ イサム"),
        "工場向け電気設備工事の技術者集団", "若手の技術者が採用できない",
        Recruitment, Stalled, NO, OPEN),
    co!(AKAGI, "高崎食品工業株式会社", "タカサキショクヒンコウギョウ", Manufacturing, "高崎市", 65, 1960, false, ("富岡 昭", "トミオカ アキラ"),
        "こんにゃく加工品の製造と大手量販店との取引", "原材料の高騰を価格に転嫁できていない",
        Costing, Executing, Twist::ChangeInCharge, OPEN),
    co!(AKAGI, "株式会社太田ロジテック", "オオタロジテック", TransportPostal, "太田市", 33, 1992, false, ("大澤 学", "オオサワ マナブ"),
        "自動車部品の構内物流と倉庫管理", "配車が担当者の経験頼みで、残業が多い",
        ItProductivity, Issues, NO, OPEN),
    co!(AKAGI, "株式会社ぐんまケアネット", "グンマケアネット", MedicalWelfare, "前橋市", 52, 2005, false, ("生方 真由美", "ウブカタ マユミ"),
        "デイサービスと送迎の地域ネットワーク", "職員の離職が続き、新規の利用者を断っている",
        Recruitment, OVERDUE, NO, OPEN),
    co!(AKAGI, "有限会社桐生染工", "キリュウセンコウ", Manufacturing, "桐生市", 9, 1951, false, ("新井 昭二", "アライ ショウジ"),
        "手捺染の技術と小ロット対応", "社長が高齢だが、承継の話を切り出せない",
        Succession, StartLine, NO, OPEN),
    co!(AKAGI, "株式会社高崎だるま本舗", "タカサキダルマホンポ", Manufacturing, "高崎市", 15, 1938, false, ("今井 久美子", "イマイ クミコ"),
        "高崎だるまの絵付け技術と観光客の人気", "職人の高齢化と後継者不足",
        Succession, Issues, NO, OPEN),
    co!(AKAGI, "そば処しぶかわ庵", "ソバドコロシブカワアン", AccommodationFood, "渋川市", 4, 1990, true, ("阿久津 正", "アクツ タダシ"),
        "石臼挽きの手打ちそば", "仕入れ値の上昇で利益が出ない",
        Turnaround, Stalled, NO, End::Close(Out::Suspended, "店主の意向で支援を中断した。")),
    co!(AKAGI, "株式会社沼田木材", "ヌマタモクザイ", Manufacturing, "沼田市", 20, 1963, false, ("萩原 浩", "ハギワラ ヒロシ"),
        "県産材の製材と乾燥の技術", "住宅着工の減少で受注が減っている",
        Market, StepZero, NO, OPEN),
    co!(AKAGI, "伊勢崎ソフトウェア株式会社", "イセサキソフトウェア", InformationCommunications, "伊勢崎市", 14, 2010, false, ("松井 亮太", "マツイ リョウタ"),
        "製造業向け生産管理システムの開発力", "受託開発が中心で利益が安定しない",
        Market, StepZero, NO, OPEN),
    co!(AKAGI, "有限会社前橋クリーニング", "マエバシクリーニング", LivingEntertainment, "前橋市", 12, 1972, false, ("宮下 幸子", "ミヤシタ サチコ"),
        "高級衣料のしみ抜き技術", "店舗の客数が減り続けている",
        Turnaround, StepZero, NO, OPEN),
    co!(AKAGI, "株式会社太田精密鋳造", "オオタセイミツチュウゾウ", Manufacturing, "太田市", 46, 1974, false, ("金井 誠一", "カナイ セイイチ"),
        "ロストワックス精密鋳造の技術", "電気代の高騰で利益が急減した",
        Costing, StartLine, NO, OPEN),
    // ---- とちぎ野州信用金庫 (栃木県): 7
    co!(YASHU, "株式会社鹿沼木工", "カヌマモッコウ", Manufacturing, "鹿沼市", 19, 1967, false, ("福田 和雄", "フクダ カズオ"),
        "組子細工と建具の職人技術", "建具の需要が減り、職人が高齢化している",
        Succession, REVIEWED, NO, End::Close(Out::SuccessionCompleted, "長男への代表交代と株式の移転が完了した。")),
    co!(YASHU, "日光ゆば本舗株式会社", "ニッコウユバホンポ", Manufacturing, "日光市", 23, 1958, false, ("神山 礼子", "カミヤマ レイコ"),
        "伝統製法のゆばと土産店への販路", "観光客の減少と通販の伸び悩み",
        Market, Executing, NO, OPEN),
    co!(YASHU, "株式会社真岡いちごファーム", "モオカイチゴファーム", Agriculture, "真岡市", 8, 2014, false, ("大森 拓", "オオモリ タク"),
        "高糖度いちごの栽培技術", "規模を拡大したいが、人が集まらない",
        Recruitment, OVERDUE, NO, OPEN),
    co!(YASHU, "麺処さの屋", "メンドコロサノヤ", AccommodationFood, "佐野市", 5, 2003, true, ("増田 豊", "マスダ ユタカ"),
        "青竹打ちの自家製麺", "行列はできるが、利益が残らない",
        Turnaround, StartLine, NO, OPEN),
    co!(YASHU, "足利繊維工業株式会社", "アシカガセンイコウギョウ", Manufacturing, "足利市", 31, 1955, false, ("川島 修", "カワシマ オサム"),
        "トリコット編みの技術", "取引先の海外移転で受注が減っている",
        Costing, Issues, NO, OPEN),
    co!(YASHU, "株式会社小山設備工業", "オヤマセツビコウギョウ", Construction, "小山市", 27, 1980, false, ("篠原 隆司", "シノハラ タカシ"),
        "空調・給排水設備の施工技術", "工事の段取りが属人的で、若手が育たない",
        ItProductivity, SelfRunning, NO, OPEN),
    co!(YASHU, "株式会社宮の餃子工房", "ミヤノギョウザコウボウ", Manufacturing, "宇都宮市", 16, 1999, false, ("渡部 剛", "ワタベ ツヨシ"),
        "冷凍餃子の製造技術", "通販の売上が伸び悩んでいる",
        Market, StepZero, NO, OPEN),
    // ---- 常陸なかみなと信用金庫 (茨城県): 3
    co!(NAKAMINATO, "株式会社那珂湊水産", "ナカミナトスイサン", Manufacturing, "ひたちなか市", 21, 1961, false, ("海野 一夫", "ウミノ カズオ"),
        "しらす・あんこうの加工技術", "漁獲量の減少で原料が確保できない",
        Turnaround, Executing, NO, OPEN),
    co!(NAKAMINATO, "株式会社ひたちなか干し芋農園", "ヒタチナカホシイモノウエン", Agriculture, "ひたちなか市", 10, 1995, false, ("照沼 光男", "テルヌマ ミツオ"),
        "紅はるかの干し芋の加工技術", "繁忙期の人手が足りない",
        Market, StepZero, NO, OPEN),
    co!(NAKAMINATO, "有限会社水戸鉄工所", "ミトテッコウショ", Manufacturing, "水戸市", 6, 1957, false, ("大塚 進", "オオツカ ススム"),
        "製缶・溶接の技術", "社長が高齢で、後継者がいない",
        Succession, Issues, NO, End::Close(Out::ClosedBusiness, "社長が廃業を決断した。取引先への引継ぎと従業員の再就職を支援した。")),
    // ---- 北武蔵商工会議所 (埼玉県): 3
    co!(CHAMBER, "熊谷うちわ工房株式会社", "クマガヤウチワコウボウ", Manufacturing, "熊谷市", 6, 1980, false, ("田口 良子", "タグチ ヨシコ"),
        "手作りうちわの伝統技術", "夏場に売上が偏り、通年の売上がない",
        Market, SelfRunning, Twist::Nominate, OPEN),
    co!(CHAMBER, "有限会社武蔵鶴酒造", "ムサシツルシュゾウ", Manufacturing, "行田市", 13, 1880, false, ("田島 康弘", "タジマ ヤスヒロ"),
        "地元米を使った日本酒の醸造技術", "杜氏の引退を控え、後継者と販路が課題",
        Succession, Executing, NO, OPEN),
    co!(CHAMBER, "有限会社熊谷塗装", "クマガヤトソウ", Construction, "熊谷市", 5, 1990, false, ("根岸 勉", "ネギシ ツトム"),
        "外壁塗装の技術と地元工務店からの信頼", "見積もりと工程管理が手書きで、残業が多い",
        ItProductivity, REVIEWED, Twist::Handover(Receiver::Yorozu), OPEN),
    // ---- 埼玉県よろず支援拠点: 2
    co!(YOROZU, "株式会社川越いも菓子", "カワゴエイモガシ", Manufacturing, "川越市", 12, 1986, false, ("粕谷 智子", "カスヤ トモコ"),
        "さつまいも菓子の製造技術と観光地の店舗", "観光客頼みで、売上の季節変動が大きい",
        Market, REVIEWED, NO, End::Close(Out::GoalAchieved, "新商品とEC販売で目標の売上を達成した。")),
    co!(YOROZU, "株式会社所沢ネットサービス", "トコロザワネットサービス", InformationCommunications, "所沢市", 8, 2013, false, ("浅見 亮", "アサミ リョウ"),
        "中小企業向けのWeb制作と保守", "採用してもすぐに辞めてしまう",
        Recruitment, OVERDUE, NO, OPEN),
];

/// Given names for successors (後継者), with their kana.
pub(super) const SUCCESSORS: [(&str, &str); 8] = [
    ("翔太", "ショウタ"),
    ("健太郎", "ケンタロウ"),
    ("美穂", "ミホ"),
    ("拓海", "タクミ"),
    ("大輝", "ダイキ"),
    ("彩花", "アヤカ"),
    ("雄一", "ユウイチ"),
    ("亮介", "リョウスケ"),
];

// ---- stories -------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoryKey {
    Market,
    Costing,
    Succession,
    ItProductivity,
    Recruitment,
    Turnaround,
}

/// A dialogue note under a Local Benchmark item (or none); `secret`: 秘, never travels.
pub(super) struct StoryNote {
    pub item: Option<PerspectiveItem>,
    pub text: &'static str,
    pub secret: bool,
}

pub(super) struct IssueText {
    pub title: &'static str,
    pub description: &'static str,
    pub theme: Theme,
    pub walls: &'static [Wall],
    pub priority: Priority,
    /// Set without the owner's agreement (腹落ち); revised with it, for this reason.
    pub agreed_later: Option<&'static str>,
}

pub(super) struct KpiText {
    pub name: &'static str,
    pub unit: &'static str,
    pub baseline: f64,
    pub target: f64,
    /// Measured midway through execution.
    pub midway: f64,
    /// Found at the reviews.
    pub result: f64,
}

/// Who carries a measure out.
pub(super) enum Owner {
    /// The holding agency's expert.
    Expert,
    /// The supporter in charge.
    InCharge,
    /// The よろず支援拠点's IT coordinator, who joins the team for it.
    ItExpert,
    /// A team of the company.
    Team(&'static str),
}

pub(super) struct MeasureText {
    pub kind: MeasureKind,
    pub title: &'static str,
    pub description: &'static str,
    /// Indexes into the story's issues.
    pub issues: &'static [usize],
    pub owner: Owner,
    pub kpi: KpiText,
    pub progress: &'static str,
    pub result: &'static str,
}

/// A measure stalls on a wall, later overcome on one of its issues.
pub(super) struct Stall {
    pub measure: usize,
    pub wall: Wall,
    pub note: &'static str,
    pub issue: usize,
    pub how: &'static str,
}

/// A wall of an issue overcome at the first review.
pub(super) struct Overcome {
    pub issue: usize,
    pub wall: Wall,
    pub how: &'static str,
}

pub(super) struct Story {
    /// Heard at the first and second dialogues (besides the company's strength).
    pub first: [StoryNote; 2],
    pub second: [StoryNote; 2],
    pub issues: [IssueText; 2],
    /// A third issue that the owner decides to drop, with the reason.
    pub dropped: Option<(IssueText, &'static str)>,
    pub measures: [MeasureText; 2],
    pub stall: Stall,
    pub late_wall: Overcome,
    /// How each issue was resolved (at the first and second review).
    pub resolved: [&'static str; 2],
    /// The first review: what worked, what did not, what changes.
    pub review: [&'static str; 3],
    /// What worked, at the second review.
    pub second_review: &'static str,
    pub self_running: &'static str,
    /// Local Benchmark summary: 現状認識 → 将来目標 → 課題 → 対応策.
    pub summary: [&'static str; 4],
    pub handover: &'static str,
}

const fn note(item: PerspectiveItem, text: &'static str, secret: bool) -> StoryNote {
    StoryNote {
        item: Some(item),
        text,
        secret,
    }
}

const fn issue(
    title: &'static str,
    description: &'static str,
    theme: Theme,
    walls: &'static [Wall],
    priority: Priority,
    agreed_later: Option<&'static str>,
) -> IssueText {
    IssueText {
        title,
        description,
        theme,
        walls,
        priority,
        agreed_later,
    }
}

/// A KPI: name, unit, and its baseline, target, midway and result values.
const fn kpi(name: &'static str, unit: &'static str, values: [f64; 4]) -> KpiText {
    let [baseline, target, midway, result] = values;
    KpiText {
        name,
        unit,
        baseline,
        target,
        midway,
        result,
    }
}

pub(super) fn story(key: StoryKey) -> &'static Story {
    match key {
        StoryKey::Market => &MARKET,
        StoryKey::Costing => &COSTING,
        StoryKey::Succession => &SUCCESSION,
        StoryKey::ItProductivity => &IT_PRODUCTIVITY,
        StoryKey::Recruitment => &RECRUITMENT,
        StoryKey::Turnaround => &TURNAROUND,
    }
}

use Wall::{CannotExecute, Invisible, Lacking, NotFacing, NotFollowing};

#[rustfmt::skip]
const MARKET: Story = Story {
    first: [
        note(OwnerVision, "「この技術を次の世代に残したい」という想いが強い。", false),
        note(CustomerRepeatAndAcquisition, "既存顧客のリピートは高いが、新規開拓はここ5年ほぼない。", false),
    ],
    second: [
        note(Weaknesses, "営業は社長一人。提案資料も自社のWebサイトもない。", false),
        note(FinancialInstitutions, "メインバンクのほか1行と取引。他行から借換の提案を受けている。", true),
    ],
    issues: [
        issue("既存の取引先・販路に依存している", "売上の7割が上位3社の問屋・量販店に集中し、価格決定権がない。", Theme::MarketDevelopment, &[Invisible], Priority::High, None),
        issue("自社の強みを伝える商品と売り方がない", "技術はあるが、最終消費者に価値が伝わる商品と売り場がない。", Theme::MarketDevelopment, &[Lacking], Priority::Medium, None),
    ],
    dropped: Some((
        issue("ふるさと納税の返礼品への出品", "自治体から出品の誘いを受けている。", Theme::MarketDevelopment, &[Lacking], Priority::Low, None),
        "手数料と手間に見合わないと社長が判断し、今期は見送る。",
    )),
    measures: [
        MeasureText {
            kind: MeasureKind::MarketDevelopment, issues: &[0], owner: Owner::InCharge,
            title: "展示会・商談会への出展",
            description: "県と商工会議所の商談会に年2回出展し、新規取引先を開拓する。",
            kpi: kpi("新規取引先数", "社", [0.0, 5.0, 2.0, 6.0]),
            progress: "初回の商談会で12社と名刺交換。うち2社と試作品の提案に進んだ。",
            result: "2回の商談会で新規取引先6社を獲得した。",
        },
        MeasureText {
            kind: MeasureKind::ItAdoption, issues: &[1], owner: Owner::Team("EC推進チーム"),
            title: "自社ECサイトの開設",
            description: "強みを伝える商品ページを作り、消費者への直販を始める。",
            kpi: kpi("EC売上（月）", "万円", [0.0, 50.0, 12.0, 58.0]),
            progress: "商品ページ20点を公開。初月の売上は12万円。",
            result: "ECサイトを開設し、月の売上が50万円を超えた。",
        },
    ],
    stall: Stall { measure: 1, wall: NotFollowing, issue: 1,
        note: "商品撮影と受注対応を担う社員が決まらず、開設準備が止まっている。",
        how: "若手社員2名を担当に指名し、社長が毎週の進捗会議に出るようにした。",
    },
    late_wall: Overcome { issue: 0, wall: Invisible,
        how: "商談会で買い手の声を聞き、自社の強みが「小ロット・短納期への対応力」だと社長が気づいた。",
    },
    resolved: [
        "新規取引先が増え、上位3社への依存度が5割を切った。",
        "EC商品の企画を社内で回せるようになった。",
    ],
    review: [
        "商談会で自社の強みを言葉にでき、新規取引が生まれた。",
        "EC運営は社員の負担が大きく、受注処理が遅れがち。",
        "受注処理を外部に委託し、社員は商品企画に集中する。",
    ],
    second_review: "直販比率が2割を超え、価格決定権を取り戻しつつある。",
    self_running: "社長と社員が自ら商談会を選んで出展し、EC商品の企画も社内で回っている。",
    summary: [
        "技術と品質は高いが、販路が問屋・量販店に偏り価格決定権がない。",
        "3年後に直販比率3割、営業利益率5%。",
        "販路の偏りの解消と、強みを伝える商品づくり。",
        "商談会への出展とECサイトによる直販の開始。",
    ],
    handover: "販路の偏りと強みの言語化が課題。商談会への出展を始めたところで、出展と商品企画の支援を引き継ぎたい。",
};

#[rustfmt::skip]
const COSTING: Story = Story {
    first: [
        note(ProductivityImprovement, "設備は更新してきたが、段取り替えに時間がかかっている。", false),
        note(BusinessSuccession, "後継者は専務（長男）が有力だが、本人の意思は未確認。", true),
    ],
    second: [
        note(Weaknesses, "営業は社長一人。製品別の採算を誰も把握していない。", false),
        note(EmployeeRetention, "若手の離職が続く。改善提案の仕組みがない。", false),
    ],
    issues: [
        issue("製品別の採算が見えていない", "売上は維持しているが、どの製品で利益が出ているか誰も把握していない。", Theme::ManagementImprovement, &[Invisible], Priority::High, None),
        issue("現場が改善活動に付いてこない", "ベテランと若手で改善への温度差が大きい。", Theme::Productivity, &[NotFollowing], Priority::Medium, Some("工場を一緒に歩いて現場の声を聞き、社長が課題として納得した。")),
    ],
    dropped: Some((
        issue("海外への販路開拓", "海外の展示会への出展を検討している。", Theme::MarketDevelopment, &[Lacking], Priority::Low, None),
        "採算の見える化を優先し、今期は見送ると社長が判断した。",
    )),
    measures: [
        MeasureText {
            kind: MeasureKind::BusinessPlanning, issues: &[0], owner: Owner::Expert,
            title: "製品別原価計算の導入",
            description: "主要製品から順に原価を算出し、月次で採算を確認する。",
            kpi: kpi("営業利益率", "%", [1.5, 4.0, 2.6, 4.3]),
            progress: "主要20製品の原価を算出。3製品が赤字と判明し、値上げ交渉を始めた。",
            result: "全製品の原価表が完成し、月次の採算会議が定着した。",
        },
        MeasureText {
            kind: MeasureKind::Training, issues: &[1], owner: Owner::Team("改善プロジェクト"),
            title: "改善プロジェクトチームの立ち上げ",
            description: "若手を中心に改善チームを作り、毎月の改善提案を表彰する。",
            kpi: kpi("不良率", "%", [3.5, 1.5, 2.8, 1.4]),
            progress: "改善チームを6名で発足。初月の提案は4件。",
            result: "改善提案が月10件を超え、不良率が半減した。",
        },
    ],
    stall: Stall { measure: 1, wall: CannotExecute, issue: 1,
        note: "繁忙期で改善会議が開けない。",
        how: "会議をやめ、朝礼後15分の立ち話形式に切り替えた。",
    },
    late_wall: Overcome { issue: 1, wall: NotFollowing,
        how: "若手をリーダーに抜擢し、ベテランを指導役にして成果を朝礼で共有した。",
    },
    resolved: [
        "製品別の採算が毎月見えるようになった。",
        "社員が自ら改善を提案する仕組みが定着した。",
    ],
    review: [
        "原価の見える化で、赤字製品の値上げ交渉ができた。",
        "改善活動はベテランの参加が少ない。",
        "改善チームのリーダーを若手に交代し、ベテランを指導役にする。",
    ],
    second_review: "目標を達成。社員が自ら改善を提案するようになった。",
    self_running: "社長主導で月次の採算会議と改善活動が続き、支援者の同席なしに次の改善テーマを決めている。",
    summary: [
        "技術力は高いが、採算管理と組織づくりが追いついていない。",
        "3年後に営業利益率5%。",
        "製品別採算の見える化と、現場の改善活動。",
        "原価計算の導入と改善プロジェクトチームの立ち上げ。",
    ],
    handover: "採算の見える化に着手済み。現場の改善活動の立ち上げを引き継ぎたい。",
};

#[rustfmt::skip]
const SUCCESSION: Story = Story {
    first: [
        note(BusinessSuccession, "長男（専務）への承継を望むが、本人にはまだ伝えていない。", true),
        note(CompanyHistory, "創業者から事業を継いだ現社長が、取引先を広げて事業を拡大した。", false),
    ],
    second: [
        note(Organisation, "意思決定は社長に集中。番頭格の社員が実務を仕切っている。", false),
        note(FinancialInstitutions, "取引金融機関は2行。社長の個人保証の扱いが承継の障害になっている。", true),
    ],
    issues: [
        IssueText {
            title: "後継者への承継計画がない",
            description: "社長は70代。後継者候補が入社しているが、承継の時期も株式の扱いも話し合われていない。",
            theme: Theme::Succession,
            walls: &[NotFacing],
            priority: Priority::High,
            agreed_later: Some(
                "後継者候補を交えて対話を重ね、社長が承継を経営課題として受け止めた。",
            ),
        },
        issue("後継者を支える社内体制がない", "番頭格の社員が後継者を認めておらず、社内の意思決定が社長に集中している。", Theme::Succession, &[NotFollowing, Lacking], Priority::Medium, None),
    ],
    dropped: None,
    measures: [
        MeasureText {
            kind: MeasureKind::SuccessionSupport, issues: &[0], owner: Owner::Expert,
            title: "事業承継計画の策定",
            description: "承継の時期、株式・資産の移転、後継者教育を10年計画にまとめる。",
            kpi: kpi("事業承継計画の策定進捗", "%", [0.0, 100.0, 40.0, 100.0]),
            progress: "親族と幹部社員への説明を終え、株式移転の試算に着手した。",
            result: "事業承継計画を策定し、親族と幹部社員に共有した。",
        },
        MeasureText {
            kind: MeasureKind::Training, issues: &[1], owner: Owner::Team("経営会議"),
            title: "後継者による経営会議の運営",
            description: "毎月の経営会議を後継者が主催し、幹部社員と方針を共有する。",
            kpi: kpi("後継者が担当する主要取引先", "社", [0.0, 8.0, 3.0, 9.0]),
            progress: "後継者が初めて経営会議を主催。主要取引先3社への挨拶回りを終えた。",
            result: "後継者が経営会議を主導し、主要取引先9社を担当している。",
        },
    ],
    stall: Stall { measure: 1, wall: NotFollowing, issue: 1,
        note: "幹部社員が経営会議を欠席し、後継者の方針に反発している。",
        how: "社長が幹部社員と個別に面談し、後継者を支える役割を依頼した。",
    },
    late_wall: Overcome { issue: 1, wall: Lacking,
        how: "経理の担当者を採用し、後継者の補佐役を置いた。",
    },
    resolved: [
        "事業承継計画を策定し、承継の時期と手順が決まった。",
        "幹部社員が後継者を支える体制ができた。",
    ],
    review: [
        "承継の時期と手順が決まり、後継者が主要取引先を回り始めた。",
        "株式の移転に伴う税負担の試算が遅れている。",
        "税理士と連携し、事業承継税制の適用を検討する。",
    ],
    second_review: "後継者が経営会議を主導し、幹部社員の協力も得られている。",
    self_running: "後継者が経営会議と金融機関との対話を自ら行い、承継計画に沿って進んでいる。",
    summary: [
        "技術と取引先はあるが、承継の準備が手つかず。",
        "5年以内に後継者へ代表を交代し、事業を継続する。",
        "承継計画の策定と、後継者を支える社内体制づくり。",
        "事業承継計画の策定と、後継者による経営会議の運営。",
    ],
    handover: "承継計画の策定に着手済み。後継者を支える社内体制づくりを引き継ぎたい。",
};

#[rustfmt::skip]
const IT_PRODUCTIVITY: Story = Story {
    first: [
        note(ItInvestment, "パソコンは事務所に2台。受注はFAXと電話、工程はホワイトボードで管理。", false),
        note(ProductivityImprovement, "段取りが標準化されておらず、ベテランの経験に頼っている。", false),
    ],
    second: [
        note(EmployeeRetention, "ここ3年で若手が4人退職。理由は残業の多さ。", false),
        note(StaffDevelopment, "教育はOJTのみで、計画的な育成はしていない。", false),
    ],
    issues: [
        issue("受注から作業・配送までの管理が紙と電話に頼っている", "案件ごとの進捗が社長と事務員の頭の中にしかなく、手戻りと残業が多い。", Theme::ItAdoption, &[CannotExecute], Priority::High, None),
        issue("人手が足りず残業が常態化している", "月平均の残業が45時間を超え、若手が辞めていく。", Theme::Productivity, &[Lacking], Priority::High, None),
    ],
    dropped: None,
    measures: [
        MeasureText {
            kind: MeasureKind::ItAdoption, issues: &[0, 1], owner: Owner::ItExpert,
            title: "クラウド型工程管理システムの導入",
            description: "受注から作業・請求までを一元管理し、進捗を全員で共有する。",
            kpi: kpi("月平均残業時間", "時間", [45.0, 25.0, 36.0, 24.0]),
            progress: "システムを導入し、まず受注登録から運用を始めた。",
            result: "全案件の進捗を画面で共有できるようになり、残業が月24時間に減った。",
        },
        MeasureText {
            kind: MeasureKind::Subsidy, issues: &[0], owner: Owner::InCharge,
            title: "IT導入補助金の申請",
            description: "システムの導入費用の2分の1を補助金で賄う。",
            kpi: kpi("補助金の採択", "件", [0.0, 1.0, 0.0, 1.0]),
            progress: "申請書を提出し、審査の結果待ち。",
            result: "IT導入補助金に採択され、導入費用の半分を賄えた。",
        },
    ],
    stall: Stall { measure: 0, wall: NotFollowing, issue: 0,
        note: "ベテラン社員が新システムへの入力を嫌がり、紙の日報と二重管理になっている。",
        how: "操作説明会を開き、ベテランの意見を取り入れて入力画面を簡素化した。",
    },
    late_wall: Overcome { issue: 0, wall: CannotExecute,
        how: "工程会議をシステムの画面を見ながら行うようにし、紙の管理表を廃止した。",
    },
    resolved: [
        "受注から請求までをシステムで一元管理できるようになった。",
        "残業が目標を下回り、若手の採用にもつながった。",
    ],
    review: [
        "案件の進捗が見えるようになり、手戻りが減った。",
        "現場からの入力が遅れ、月末に集中している。",
        "スマートフォンから入力できるようにし、入力を日報と一体にする。",
    ],
    second_review: "残業が目標を下回り、若手の採用にもつながった。",
    self_running: "社内の推進担当が新しい機能の活用を自ら進め、改善の会議も社内だけで回っている。",
    summary: [
        "受注は安定しているが、管理が紙と電話に頼り、残業が多い。",
        "2年後に月平均残業20時間、若手の定着。",
        "業務管理のIT化と、人手不足の解消。",
        "IT導入補助金を活用した工程管理システムの導入。",
    ],
    handover: "工程管理のIT化に着手したが、システムの定着には専門的な支援が必要。IT導入と業務改善の支援を引き継ぎたい。",
};

#[rustfmt::skip]
const RECRUITMENT: Story = Story {
    first: [
        note(OwnerVision, "「地域で一番働きやすい職場にしたい」と社長。", false),
        note(EmployeeRetention, "昨年度は5人が退職。人間関係を理由とする声がある。", true),
    ],
    second: [
        note(StaffDevelopment, "入社時の研修のみで、その後の育成計画がない。", false),
        note(BusinessPlan, "経営計画は社長の頭の中にあり、社員に示していない。", false),
    ],
    issues: [
        issue("若手の採用と定着が進まない", "求人を出しても応募がなく、入社しても1年以内に辞める人が多い。", Theme::Recruitment, &[Lacking], Priority::High, None),
        IssueText {
            title: "経営理念が社員に共有されていない",
            description: "社長の想いが現場に伝わらず、仕事の意味が見えないという声がある。",
            theme: Theme::BusinessPlanning,
            walls: &[NotFollowing, Invisible],
            priority: Priority::Medium,
            agreed_later: Some(
                "社員アンケートの結果を見て、社長が理念の共有を課題として納得した。",
            ),
        },
    ],
    dropped: None,
    measures: [
        MeasureText {
            kind: MeasureKind::Training, issues: &[0], owner: Owner::Expert,
            title: "評価・育成制度の整備",
            description: "職種ごとのキャリアパスと評価基準を作り、面談を半年ごとに行う。",
            kpi: kpi("離職率（年）", "%", [22.0, 10.0, 16.0, 9.0]),
            progress: "評価基準の案を管理職と作成。試行の面談を始めた。",
            result: "評価制度を導入し、離職率が1割を切った。",
        },
        MeasureText {
            kind: MeasureKind::BusinessPlanning, issues: &[1], owner: Owner::InCharge,
            title: "経営理念の言語化と共有",
            description: "経営デザインシートで理念とこれからの姿をまとめ、全社員と共有する。",
            kpi: kpi("理念研修の参加率", "%", [0.0, 90.0, 50.0, 95.0]),
            progress: "経営デザインシートを社長と作成。管理職向けの説明会を開いた。",
            result: "理念を全社員で共有し、採用ページにも掲載した。",
        },
    ],
    stall: Stall { measure: 0, wall: CannotExecute, issue: 0,
        note: "現場の管理職が面談の時間を確保できない。",
        how: "面談をシフトに組み込み、1回30分に短縮した。",
    },
    late_wall: Overcome { issue: 1, wall: NotFollowing,
        how: "社員が自ら理念を言葉にするワークショップを開き、朝礼で共有するようにした。",
    },
    resolved: [
        "面談で不満を早く拾えるようになり、退職が減った。",
        "理念が社員の言葉で語られるようになった。",
    ],
    review: [
        "面談で不満を早く拾えるようになり、退職が減った。",
        "求人への応募はまだ少ない。",
        "採用ページを刷新し、社員の声を載せる。",
    ],
    second_review: "採用ページ経由の応募が増え、若手が2名定着した。",
    self_running: "管理職が面談と評価を自ら回し、採用活動も社内で企画している。",
    summary: [
        "需要はあるが、人が採れず定着しないため受注を断っている。",
        "3年後に離職率10%以下、職員数を1割増やす。",
        "採用と定着の仕組みづくり、理念の共有。",
        "評価・育成制度の整備と、経営理念の言語化。",
    ],
    handover: "評価制度の整備に着手済み。採用と定着の専門的な支援を引き継ぎたい。",
};

#[rustfmt::skip]
const TURNAROUND: Story = Story {
    first: [
        note(FinancialInstitutions, "借入は3行から。返済が月120万円で、返済条件の変更を考えたこともある。", true),
        note(CustomerRepeatAndAcquisition, "常連客が多いが、新規の客が減っている。", false),
    ],
    second: [
        note(Weaknesses, "原価を把握しておらず、値決めは勘に頼っている。", false),
        note(BusinessPlan, "経営計画はなく、試算表も見ていない。", false),
    ],
    issues: [
        issue("資金繰りが毎月綱渡りになっている", "借入の返済が重く、仕入れの支払いに追われている。", Theme::ManagementImprovement, &[NotFacing], Priority::High, Some("資金繰り表を一緒に作り、社長が数字と向き合うと決めた。")),
        issue("価格が原価の上昇に追いついていない", "原材料と光熱費が上がったが、値上げをためらっている。", Theme::ManagementImprovement, &[Invisible], Priority::High, None),
    ],
    dropped: None,
    measures: [
        MeasureText {
            kind: MeasureKind::Loan, issues: &[0], owner: Owner::InCharge,
            title: "借入の借換と返済条件の見直し",
            description: "複数の借入を一本化し、月々の返済額を減らす。",
            kpi: kpi("月々の返済額", "万円", [120.0, 80.0, 95.0, 78.0]),
            progress: "借換の審査を終え、2行分の借入を一本化した。",
            result: "借換により月々の返済が78万円に減り、資金繰りに余裕ができた。",
        },
        MeasureText {
            kind: MeasureKind::BusinessPlanning, issues: &[1], owner: Owner::Expert,
            title: "早期経営改善計画の策定と価格の見直し",
            description: "商品別の原価を出し、価格と品揃えを見直す。",
            kpi: kpi("営業利益率", "%", [-1.5, 3.0, 0.8, 3.4]),
            progress: "商品別の原価を算出し、値上げの候補を洗い出した。",
            result: "価格改定後も客数を維持し、営業利益率が3%台に回復した。",
        },
    ],
    stall: Stall { measure: 1, wall: NotFacing, issue: 1,
        note: "値上げで常連客が離れるのを恐れ、社長が価格改定に踏み切れない。",
        how: "常連客へのアンケートで、品質を保つための値上げなら受け入れるという声を確かめた。",
    },
    late_wall: Overcome { issue: 0, wall: NotFacing,
        how: "月次の資金繰り表を社長自ら作るようになり、返済計画を自分の言葉で説明できるようになった。",
    },
    resolved: [
        "返済額が減り、資金繰りの見通しが立つようになった。",
        "価格改定が定着し、黒字に戻った。",
    ],
    review: [
        "返済額が減り、資金繰り表で先の見通しが立つようになった。",
        "価格改定の効果が出るまで時間がかかった。",
        "月次で試算表を確認し、四半期ごとに価格を見直す。",
    ],
    second_review: "黒字化を達成し、資金繰りが安定した。",
    self_running: "社長が月次の資金繰り表と試算表を自ら確認し、金融機関に説明できている。",
    summary: [
        "固定客はいるが、原価の上昇と借入の返済で資金繰りが苦しい。",
        "2年以内に黒字化し、返済を無理なく続ける。",
        "資金繰りの安定と、原価に見合った価格への見直し。",
        "借換による返済額の軽減と、早期経営改善計画の策定。",
    ],
    handover: "借換で資金繰りは落ち着いた。価格の見直しと販路の支援を引き継ぎたい。",
};

/// The failure case (失敗事例) of a case whose support is suspended.
pub(super) const FAILURE_WALLS: &[Wall] = &[NotFacing, Lacking];
pub(super) const FAILURE_REASONS: &str = "値上げの必要は理解されたが、常連客を失う不安から踏み出せなかった。人手も足りず、改善計画の実行に手が回らなかった。";
pub(super) const FAILURE_LESSONS: &str = "最初の対話で、店主が大切にしているもの（常連客との関係）を先に聞き、値上げ以外の打ち手から始めるべきだった。";
