//! GraphQL over HTTP for the end-to-end tests: a client signed in with one bearer token, a
//! mutation runner that returns the `CommandResult` or the error with its code, and a small
//! world of agencies and supporters registered through the API, with tokens issued by the
//! `banso token issue` command against the running server's database.

use std::net::SocketAddr;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{HttpResponse, TestApp, http_with_headers, run_banso};

/// A client of one server, signed in with one token (or none).
#[derive(Clone, Debug)]
pub struct Gql {
    pub addr: SocketAddr,
    pub token: Option<String>,
}

/// One error of a GraphQL response, with what its extensions say.
#[derive(Clone, Debug, PartialEq)]
pub struct GqlError {
    pub message: String,
    /// `extensions.code`: BAD_USER_INPUT, CONFLICT, FORBIDDEN ...
    pub code: Option<String>,
    /// `extensions.field`: the input field at fault.
    pub field: Option<String>,
    /// `extensions.rule`: the broken rule.
    pub rule: Option<String>,
    /// The error as received.
    pub raw: Value,
}

impl GqlError {
    fn from_json(error: &Value) -> Self {
        let ext = |key: &str| error["extensions"][key].as_str().map(str::to_owned);
        Self {
            message: error["message"].as_str().unwrap_or_default().to_owned(),
            code: ext("code"),
            field: ext("field"),
            rule: ext("rule"),
            raw: error.clone(),
        }
    }

    /// The code, or a panic naming the whole error.
    #[track_caller]
    pub fn code(&self) -> &str {
        self.code
            .as_deref()
            .unwrap_or_else(|| panic!("an error without extensions.code: {}", self.raw))
    }
}

/// The two optional arguments every mutation takes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Call {
    pub command_id: Option<Uuid>,
    pub expected_version: Option<i64>,
}

/// Every field of a case the story checks (a `Case` selection).
pub const CASE_FIELDS: &str = "id version stage stageLabel cycle \
    company { id name kana industryCode industry prefecture } \
    holder { id name kindLabel } inCharge { id name roleLabel } \
    discoveredOn channel firstConcerns outreachVisits dialogues startLineOn \
    consent { recipients { agencyId agencyKind } purposes validUntil withdrawn } \
    team { supporterId agencyId role } \
    issues { id title walls wallsOvercome ownerAgrees status cycle setOn closedOn } \
    measures { id title kind status statusLabel cycle issueIds startsOn dueOn startedOn completedOn \
      percent stalledOn pastDue kpis { id name unit baseline target latest latestOn onTarget } } \
    reviews { on cycle findings achieved } nextReviewOn reviewOverdue \
    openHandover handovers { id status statusLabel requestedOn decidedOn ageDays answer senderStays } \
    selfRunningOn closedOn closingOutcome nominated failureRecorded lastActivityOn";

/// A `CommandResult` selection with the whole case.
pub fn result_fields() -> String {
    format!(
        "commandId duplicate position streams {{ streamType id version }} caseVersion \
         case {{ {CASE_FIELDS} }}"
    )
}

/// A `CommandResult` selection small enough for tight server limits.
pub const BRIEF_RESULT: &str = "duplicate position caseVersion";

/// A `CommandResult` selection for commands on no case, small enough for tight limits.
const SETUP_RESULT: &str = "duplicate streams { streamType id version } caseVersion case { id }";

/// `registerAgency` → `RegisterAgencyInput`.
fn input_type(field: &str) -> String {
    let mut chars = field.chars();
    let first = chars.next().expect("a mutation name");
    format!("{}{}Input", first.to_ascii_uppercase(), chars.as_str())
}

impl Gql {
    pub fn new(addr: SocketAddr, token: Option<&str>) -> Self {
        Self {
            addr,
            token: token.map(str::to_owned),
        }
    }

    /// POST `body` to `/graphql` as it is, with the token.
    pub async fn post_raw(&self, content_type: &str, body: &str) -> HttpResponse {
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        http_with_headers(
            self.addr,
            "POST",
            "/graphql",
            &headers,
            Some((content_type, body)),
        )
        .await
    }

    /// POST one operation; the whole response (`data` and `errors`), which must be a 200.
    pub async fn request(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let response = self.post_raw("application/json", &body).await;
        assert_eq!(
            response.status, 200,
            "POST /graphql {query}: {}",
            response.body
        );
        serde_json::from_str(&response.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", response.body))
    }

    /// The `data` of a query that must succeed.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "{query} failed: {}",
            response["errors"]
        );
        response["data"].clone()
    }

    /// The one error of a request that must fail.
    pub async fn error(&self, query: &str, variables: Value) -> GqlError {
        let response = self.request(query, variables).await;
        only_error(&response)
    }

    /// Run the mutation `field` with `input`; its `CommandResult` (every field, the whole case)
    /// or its error.
    pub async fn mutate(&self, field: &str, input: Value) -> Result<Value, GqlError> {
        self.mutate_with(field, input, Call::default(), &result_fields())
            .await
    }

    /// Run the mutation `field` with `input` and the optional arguments, selecting `selection`
    /// of its `CommandResult`.
    pub async fn mutate_with(
        &self,
        field: &str,
        input: Value,
        call: Call,
        selection: &str,
    ) -> Result<Value, GqlError> {
        let query = format!(
            "mutation Run($input: {ty}!, $commandId: UUID, $expectedVersion: Int) {{ \
               {field}(input: $input, commandId: $commandId, expectedVersion: $expectedVersion) \
               {{ {selection} }} }}",
            ty = input_type(field)
        );
        let variables = json!({
            "input": input,
            "commandId": call.command_id,
            "expectedVersion": call.expected_version,
        });
        let response = self.request(&query, variables).await;
        match response.get("errors") {
            None => Ok(response["data"][field].clone()),
            Some(_) => {
                let error = only_error(&response);
                assert!(
                    response["data"].is_null(),
                    "{field} failed but answered data: {response}"
                );
                Err(error)
            }
        }
    }

    /// Run a mutation that must succeed; its `CommandResult`.
    pub async fn ok(&self, field: &str, input: Value) -> Value {
        match self.mutate(field, input).await {
            Ok(result) => result,
            Err(e) => panic!("{field} failed: {}", e.raw),
        }
    }

    /// Run a mutation that must succeed, selecting only [`BRIEF_RESULT`].
    pub async fn ok_brief(&self, field: &str, input: Value) -> Value {
        match self
            .mutate_with(field, input, Call::default(), BRIEF_RESULT)
            .await
        {
            Ok(result) => result,
            Err(e) => panic!("{field} failed: {}", e.raw),
        }
    }

    /// The event store's head position.
    pub async fn head(&self) -> u64 {
        let data = self.data("{ storeStatus { head } }", json!({})).await;
        data["storeStatus"]["head"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .unwrap_or_else(|| panic!("a head that is not a number: {data}"))
    }
}

/// The one error of `response`.
#[track_caller]
pub fn only_error(response: &Value) -> GqlError {
    let errors = response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected an error, got {response}"));
    assert_eq!(errors.len(), 1, "expected one error: {response}");
    GqlError::from_json(&errors[0])
}

// ---- the world: agencies, supporters and their tokens ----------------------------------

/// A fixed id, like the domain story's.
pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub const SHINKIN: Uuid = Uuid::from_u128(0xa1);
pub const YOROZU: Uuid = Uuid::from_u128(0xa2);
pub const CHAMBER: Uuid = Uuid::from_u128(0xa3);
pub const BUREAU: Uuid = Uuid::from_u128(0xa4);

/// A registered supporter and a client signed in with their token.
pub struct Supporter {
    pub id: Uuid,
    pub name: &'static str,
    pub agency: Uuid,
    pub agency_name: &'static str,
    pub token_id: Uuid,
    pub api: Gql,
}

/// Four agencies and a supporter of each, registered by the operator through the API, with
/// tokens from `banso token issue`:
///
/// - さくら信用金庫 (a shinkin bank): 佐藤 美咲, hub supporter, who finds the company;
/// - 埼玉県よろず支援拠点: 中村 陽子, hub supporter, who receives the handover;
/// - 川口商工会議所: 高橋 誠, an accompanying supporter of an agency with no part in the case;
/// - 関東経済産業局: 山本 恵, policy officer.
pub struct World {
    pub database_url: String,
    pub operator: Gql,
    pub anonymous: Gql,
    pub hub: Supporter,
    pub coordinator: Supporter,
    pub outsider: Supporter,
    pub policy: Supporter,
}

/// `banso token issue ARGS` against `database_url`: the token and its id.
/// A supporter's token, issued by the CLI: the token and its id.
pub async fn issue_supporter_token(
    database_url: &str,
    agency: Uuid,
    supporter: Uuid,
    role: &str,
    label: &str,
) -> (String, Uuid) {
    issue_token(
        database_url,
        &[
            "--agency",
            &agency.to_string(),
            "--supporter",
            &supporter.to_string(),
            "--role",
            role,
            "--label",
            label,
        ],
    )
    .await
}

pub async fn issue_token(database_url: &str, args: &[&str]) -> (String, Uuid) {
    let mut argv = vec!["token", "issue", "--database-url", database_url];
    argv.extend_from_slice(args);
    let output = run_banso(&argv).await;
    assert!(
        output.status.success(),
        "banso {argv:?} failed: {}",
        output.stderr
    );
    let token = output.stdout.trim().to_owned();
    assert!(
        token.starts_with("banso_") && token.len() == "banso_".len() + 64,
        "not a token: {:?}",
        output.stdout
    );
    // stderr: "token <id> issued; copy it now, it is not shown again:"
    let token_id = output
        .stderr
        .split_whitespace()
        .skip_while(|w| *w != "token")
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no token id in {:?}", output.stderr));
    (token, token_id)
}

impl World {
    /// Register the world on `app`'s database, checking each registration reads back.
    pub async fn create(app: &TestApp) -> World {
        let url = app.database.url.clone();
        let (operator_token, _) =
            issue_token(&url, &["--operator", "--label", "e2e: operator"]).await;
        let operator = Gql::new(app.addr, Some(&operator_token));

        let agencies = [
            (SHINKIN, "SHINKIN_BANK", "さくら信用金庫", "信用金庫"),
            (
                YOROZU,
                "YOROZU_SUPPORT_CENTER",
                "埼玉県よろず支援拠点",
                "よろず支援拠点",
            ),
            (
                CHAMBER,
                "CHAMBER_OF_COMMERCE",
                "川口商工会議所",
                "商工会議所",
            ),
            (BUREAU, "REGIONAL_BUREAU", "関東経済産業局", "経済産業局"),
        ];
        for (agency_id, kind, name, _) in agencies {
            let result = operator
                .mutate_with(
                    "registerAgency",
                    json!({
                        "agencyId": agency_id, "kind": kind, "name": name,
                        "prefecture": "埼玉", "municipality": "川口市",
                    }),
                    Call::default(),
                    SETUP_RESULT,
                )
                .await
                .unwrap_or_else(|e| panic!("registerAgency failed: {}", e.raw));
            assert_eq!(result["duplicate"], false);
            assert_eq!(
                result["streams"],
                json!([{ "streamType": "agency", "id": agency_id, "version": 1 }])
            );
            assert_eq!(result["caseVersion"], Value::Null);
            assert_eq!(result["case"], Value::Null);
        }
        // Read your writes: the four agencies at once, the prefecture normalised.
        let listed = operator
            .data(
                "{ agencies { id name kind kindLabel prefecture } }",
                json!({}),
            )
            .await;
        let mut listed = listed["agencies"].as_array().unwrap().clone();
        listed.sort_by_key(|a| a["id"].as_str().unwrap().to_owned());
        let expected: Vec<Value> = agencies
            .iter()
            .map(|(id, kind, name, label)| {
                json!({ "id": id, "name": name, "kind": kind, "kindLabel": label, "prefecture": "埼玉県" })
            })
            .collect();
        assert_eq!(listed, expected);

        let people = [
            (
                0x51,
                SHINKIN,
                "HUB_SUPPORTER",
                "hub_supporter",
                "佐藤 美咲",
                "ハブ支援者",
            ),
            (
                0x54,
                YOROZU,
                "HUB_SUPPORTER",
                "hub_supporter",
                "中村 陽子",
                "ハブ支援者",
            ),
            (
                0x56,
                CHAMBER,
                "ACCOMPANYING_SUPPORTER",
                "accompanying_supporter",
                "高橋 誠",
                "伴走型支援者",
            ),
            (
                0x57,
                BUREAU,
                "POLICY_OFFICER",
                "policy_officer",
                "山本 恵",
                "政策担当",
            ),
        ];
        let mut supporters = Vec::new();
        for (n, agency, role, role_id, name, role_label) in people {
            let supporter_id = id(n);
            let result = operator
                .mutate_with(
                    "registerSupporter",
                    json!({
                        "supporterId": supporter_id, "agencyId": agency, "role": role,
                        "details": { "name": name, "email": "tanto@example.jp" },
                    }),
                    Call::default(),
                    SETUP_RESULT,
                )
                .await
                .unwrap_or_else(|e| panic!("registerSupporter failed: {}", e.raw));
            assert_eq!(
                result["streams"],
                json!([{ "streamType": "supporter", "id": supporter_id, "version": 1 }])
            );
            let listed = operator
                .data(
                    "query($a: UUID!) { supporters(agencyId: $a) { id agencyId role roleLabel name departed } }",
                    json!({ "a": agency }),
                )
                .await;
            assert_eq!(
                listed["supporters"],
                json!([{
                    "id": supporter_id, "agencyId": agency, "role": role,
                    "roleLabel": role_label, "name": name, "departed": false,
                }])
            );
            // The token is issued by the CLI while the server runs on the same database.
            let label = format!("e2e: {name}");
            let (token, token_id) =
                issue_supporter_token(&url, agency, supporter_id, role_id, &label).await;
            let api = Gql::new(app.addr, Some(&token));
            let me = api
                .data("{ me { kind supporterId agencyId role } }", json!({}))
                .await;
            assert_eq!(
                me["me"],
                json!({ "kind": "supporter", "supporterId": supporter_id, "agencyId": agency, "role": role })
            );
            let agency_name = agencies.iter().find(|a| a.0 == agency).unwrap().2;
            supporters.push(Supporter {
                id: supporter_id,
                name,
                agency,
                agency_name,
                token_id,
                api,
            });
        }
        let mut supporters = supporters.into_iter();
        World {
            database_url: url,
            operator,
            anonymous: Gql::new(app.addr, None),
            hub: supporters.next().unwrap(),
            coordinator: supporters.next().unwrap(),
            outsider: supporters.next().unwrap(),
            policy: supporters.next().unwrap(),
        }
    }
}

// ---- the company and the case -------------------------------------------------------

/// 株式会社川口精密's corporate number (法人番号), with a valid check digit.
pub const CORPORATE_NUMBER: &str = "1180301018771";
/// The owner as a person, recorded at discovery as the representative.
pub const OWNER: Uuid = Uuid::from_u128(0xb1);

/// `discoverCompany`'s input: 株式会社川口精密, new to Banso, found on a routine visit.
pub fn discovery(case_id: Uuid, company_id: Uuid, on: &str) -> Value {
    json!({
        "caseId": case_id,
        "company": { "new": {
            "companyId": company_id,
            "corporateNumber": CORPORATE_NUMBER,
            "name": "株式会社川口精密",
            "kana": "かわぐちせいみつ",
            "industry": "E",
            "prefecture": "埼玉県",
            "municipality": "川口市",
            "employees": 32,
            "foundedYear": 1968,
            "representative": {
                "personId": OWNER,
                "details": { "name": "川口 一郎", "title": "代表取締役" },
            },
        } },
        "on": on,
        "channel": "FINANCIAL_INSTITUTION_VISIT",
        "firstConcerns": ["主要取引先からの受注が減っている", "後継者が決まっていない"],
    })
}

/// `reachStartLine`'s input: the owner consents to every purpose for any よろず支援拠点.
pub fn start_line(case_id: Uuid, on: &str) -> Value {
    json!({
        "caseId": case_id,
        "on": on,
        "decision": "「一歩前に踏み出そう」と社長が支援を受けることを決断",
        "consent": {
            "recipients": [{ "agencyKind": "YOROZU_SUPPORT_CENTER" }],
            "purposes": ["SUPPORT", "HANDOVER", "EXPERT_DISPATCH", "GOOD_PRACTICE", "STATISTICS"],
            "validUntil": "2027-03-31",
            "givenBy": OWNER,
        },
        "owner": { "name": "川口 一郎" },
    })
}

/// `requestHandover`'s input: to 埼玉県よろず支援拠点, the shinkin bank staying alongside.
pub fn handover_request(case_id: Uuid, handover_id: Uuid, on: &str, issues: &[Uuid]) -> Value {
    json!({
        "caseId": case_id,
        "handoverId": handover_id,
        "toAgency": YOROZU,
        "on": on,
        "reason": "IT導入の専門的な支援が必要になったため",
        "summary": "採算管理と改善活動は定着。次の課題は受発注のIT化。",
        "issues": issues,
        "senderStays": true,
    })
}

/// Open a case past the start line (discovery, then the start line), by the shinkin bank's
/// hub supporter; selects only [`BRIEF_RESULT`], so that it fits tight server limits.
pub async fn open_case(world: &World, case_id: Uuid, company_id: Uuid) {
    let found = world
        .hub
        .api
        .ok_brief(
            "discoverCompany",
            discovery(case_id, company_id, "2026-04-06"),
        )
        .await;
    assert_eq!(found["caseVersion"], 1);
    let started = world
        .hub
        .api
        .ok_brief("reachStartLine", start_line(case_id, "2026-05-11"))
        .await;
    assert_eq!(started["caseVersion"], 2);
}

/// The entries of a case's timeline (its first page of 100, which must be all of it), checking
/// that the positions increase strictly and are the cursors.
pub async fn timeline(api: &Gql, case_id: Uuid) -> Vec<Value> {
    let data = api
        .data(
            "query($c: UUID!) { caseTimeline(caseId: $c, first: 100) { \
               pageInfo { hasNextPage } \
               edges { cursor node { position caseId streamType version eventType label \
                 actorId actorName agencyId agencyName happenedOn detail } } } }",
            json!({ "c": case_id }),
        )
        .await;
    let connection = &data["caseTimeline"];
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);
    let edges = connection["edges"].as_array().unwrap();
    let mut previous = 0u64;
    for edge in edges {
        let position: u64 = edge["node"]["position"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            edge["cursor"], edge["node"]["position"],
            "the cursor is the position"
        );
        assert!(
            position > previous,
            "timeline positions do not increase: {edges:?}"
        );
        previous = position;
    }
    edges.iter().map(|e| e["node"].clone()).collect()
}

// ---- subscriptions over WebSocket -----------------------------------------------------

/// A GraphQL WebSocket connection to `/graphql/ws`.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// How long a subscription may take to deliver what is awaited.
const WS_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

impl Ws {
    /// Open a connection speaking `protocol` (`graphql-transport-ws` or the older
    /// `graphql-ws`), with `token` in the upgrade request's `Authorization` header if given.
    pub async fn connect(addr: SocketAddr, protocol: &str, token: Option<&str>) -> Ws {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        use tokio_tungstenite::tungstenite::http::HeaderValue;

        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocol).unwrap(),
        );
        if let Some(token) = token {
            headers.insert(
                "Authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
            );
        }
        let (stream, response) =
            tokio::time::timeout(WS_PATIENCE, tokio_tungstenite::connect_async(request))
                .await
                .expect("the WebSocket upgrade took too long")
                .unwrap_or_else(|e| panic!("the WebSocket upgrade failed: {e}"));
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol)
        );
        Ws { stream }
    }

    pub async fn send(&mut self, message: Value) {
        use futures_util::SinkExt;
        use tokio_tungstenite::tungstenite::Message;
        self.stream
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("could not send on the WebSocket");
    }

    /// The next message, as JSON; a close frame is `Err((code, reason))`.
    pub async fn next(&mut self) -> Result<Value, (u16, String)> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let message = tokio::time::timeout(WS_PATIENCE, self.stream.next())
                .await
                .expect("no WebSocket message in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}")));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((1005, String::new())));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(other)) => panic!("an unexpected WebSocket message: {other:?}"),
                Some(Err(e)) => panic!("the WebSocket failed: {e}"),
                None => return Err((1006, "closed without a close frame".into())),
            }
        }
    }

    /// The next message, which must be a text message.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Ok(message) => message,
            Err((code, reason)) => panic!("the server closed the WebSocket: {code} {reason}"),
        }
    }

    /// `connection_init` with `payload`, answered by `connection_ack`.
    pub async fn init(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.recv().await;
        assert_eq!(ack, json!({ "type": "connection_ack" }));
    }
}
