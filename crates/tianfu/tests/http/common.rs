//! The test harness: `TestApp::spawn(backend)` starts the application on 127.0.0.1:0 with a fresh
//! database (a temporary SQLite file, or a uniquely named PostgreSQL database dropped
//! afterwards), and offers one helper per common request.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tianfu::platform::config::Config;
use tianfu::platform::session_policy::SessionPolicy;
use tianfu::staff::store::{NewStaff, add_staff};
use tianfu::{App, AppState, Server};

/// Runs each listed test once on SQLite and once on PostgreSQL. A test is an
/// `async fn name(app: TestApp)`; forgetting to list one leaves it unused, which the build
/// refuses (`-D warnings`).
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $test() { super::$test($crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await).await; })+
        }
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test($crate::common::TestApp::spawn($crate::common::Backend::Postgres).await).await; })+
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "Secret2026";
/// What `/metrics` accepts from a client that is not on this machine.
pub const METRICS_TOKEN: &str = "metrics-test-token";

pub struct TestApp {
    pub url: String,
    pub app: AppState,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// Every text message the application sent (codes, notices).
    pub sms: std::sync::Arc<tianfu::platform::sms::MemorySms>,
    cleanup: Cleanup,
    next_phone: AtomicU32,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase {
        admin_url: String,
        name: String,
        dir: PathBuf,
    },
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "tianfu_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

pub fn pg_admin_url() -> String {
    std::env::var("TIANFU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Tests move the clock by hours and days to reach deadlines; their sessions should not time out
/// meanwhile, so they get the lifetimes sessions had before idle timeouts (tests/http/sessions.rs
/// spawns with the real policy).
pub fn unhurried_sessions() -> SessionPolicy {
    SessionPolicy {
        staff_idle_minutes: 30 * 24 * 60,
        idle_minutes: 30 * 24 * 60,
        staff_max_hours: 30 * 24,
        ..SessionPolicy::default()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// A test app whose configuration `tweak` changes first (e.g. a lower rate limit). The
    /// ordinary one has limits no test reaches and phone verification on.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let name = unique_name();
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (database_url, cleanup) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.join("tianfu.db").display()),
                Cleanup::Dir(dir.clone()),
            ),
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{admin_url}/postgres"))
                    .await
                    .expect("PostgreSQL must be running for the PostgreSQL half of the suite (see scripts/test.sh)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                (
                    format!("{admin_url}/{name}"),
                    Cleanup::PgDatabase {
                        admin_url,
                        name: name.clone(),
                        dir: dir.clone(),
                    },
                )
            }
        };
        let node_modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../node_modules");
        let config = Config {
            bind: "127.0.0.1:0".parse().expect("address"),
            data_dir: dir,
            database_url,
            node_modules_dir: node_modules,
            secure_cookies: false,
            review: Default::default(),
            kepu: Default::default(),
            deal_verify_above_fen: tianfu::platform::config::DEFAULT_DEAL_VERIFY_ABOVE_FEN,
            // Tests change the data between reads: every read computes.
            scores_cache_seconds: 0,
            metrics_token: Some(METRICS_TOKEN.into()),
            sessions: unhurried_sessions(),
            limits: tianfu::platform::limits::LimitsConfig::unreachable(),
            verify_phone: true,
        };
        let mut config = config;
        tweak(&mut config);
        let sms = tianfu::platform::sms::MemorySms::with_outbox(&config.data_dir);
        let app = App::start_with_sms(config, tianfu::IndexPlace::Disk, sms.clone())
            .await
            .expect("app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let server = Server::new(app.clone(), listener);
        let url = format!("http://{}", server.local_addr().expect("addr"));
        tokio::spawn(server.run(std::future::pending()));
        TestApp {
            url,
            app,
            client: reqwest::Client::new(),
            backend,
            sms,
            cleanup,
            next_phone: AtomicU32::new(1),
        }
    }

    /// The file the text messages are also written to, for browser scripts to read codes from.
    pub fn sms_outbox(&self) -> String {
        self.app
            .config
            .data_dir
            .join(tianfu::platform::sms::OutboxSms::FILE_NAME)
            .display()
            .to_string()
    }

    /// A fresh, valid, unused mobile number.
    pub fn phone(&self) -> String {
        format!("137{:08}", self.next_phone.fetch_add(1, Ordering::Relaxed))
    }

    /// A client that keeps cookies and posts forms as a page of the site does: it holds a
    /// pre-session cookie and sends `Origin` and that cookie's CSRF token (in `X-CSRF-Token`, as
    /// scripts do; pages put it in a hidden field) with every request. After signing in, the
    /// token belongs to the session: use [`TestApp::signed_in`] for a signed-in browser.
    pub fn browser(&self) -> reqwest::Client {
        let secret = format!("test-{}", unique_name());
        self.browser_holding(tianfu::platform::csrf::CSRF_COOKIE, &secret)
    }

    /// A client that keeps cookies and adds nothing: what another site's page, or a browser that
    /// was never shown one of our forms, would send.
    pub fn bare_browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs in through the login form and returns a browser holding the session cookie that
    /// sends `Origin` and the session's CSRF token with every request.
    pub async fn signed_in(&self, phone: &str) -> reqwest::Client {
        let response = self
            .browser()
            .post(format!("{}/login", self.url))
            .form(&[("phone", phone), ("password", PASSWORD)])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login by form");
        let session = session_cookie(&response).expect("the login sets the session cookie");
        self.browser_holding(tianfu::platform::auth::COOKIE_NAME, &session)
    }

    /// A browser holding cookie `name=value` and sending the CSRF token it implies.
    pub fn browser_holding(&self, name: &str, value: &str) -> reqwest::Client {
        let url: reqwest::Url = self.url.parse().expect("url");
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("{name}={value}; Path=/"), &url);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            self.url.parse().expect("origin header"),
        );
        headers.insert(
            "x-csrf-token",
            tianfu::platform::csrf::token_for(value)
                .parse()
                .expect("token header"),
        );
        reqwest::Client::builder()
            .cookie_provider(jar)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A page as an anonymous visitor sees it.
    pub async fn html(&self, path: &str) -> String {
        self.settle().await;
        let response = self
            .browser()
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request");
        response.text().await.expect("page text")
    }

    /// The page at `path` as `client` (a signed-in browser) sees it.
    pub async fn page_as(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("page text")
    }

    /// Lets every follower of the ledger react to what has been done so far (a server's
    /// followers do within a quarter of a second; tests do not wait for the poll). Reads call it
    /// first, so a test sees the tickets, recommendations and figures its acts lead to.
    pub async fn settle(&self) {
        tianfu::kepu::settle(&self.app)
            .await
            .expect("科普 jobs catch up");
        tianfu::ledger::follow::catch_up_all(&self.app, tianfu::FOLLOWERS)
            .await
            .expect("followers catch up");
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.settle().await;
        let mut request = self.client.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.post(format!("{}{path}", self.url)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers a user of `role` in `region` and returns (id, phone).
    pub async fn register(&self, role: &str, name: &str, region: &str) -> (i64, String) {
        let phone = self.phone();
        let mut body = json!({"role": role, "phone": phone, "password": PASSWORD, "name": name, "region_code": region});
        if role == "org" {
            body["org"] = json!({"name": format!("{name}有限公司"), "credit_code": credit_code(self.next_phone.load(Ordering::Relaxed)), "org_type": "enterprise"});
        }
        self.with_code(&mut body).await;
        let (status, reply) = self.post("/api/v1/auth/register", &body, None).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        (reply["id"].as_i64().expect("id"), phone)
    }

    /// Asks for a code for `phone` and `purpose` (register, reset, login) as a person would and
    /// returns the code from the text message it got.
    pub async fn code_for(&self, phone: &str, purpose: &str) -> String {
        let seen = self.sms.to(phone).len();
        let (status, reply) = self
            .post(
                "/api/v1/auth/phone-codes",
                &json!({"phone": phone, "purpose": purpose}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        let message = self
            .sms
            .next_to(phone, seen)
            .await
            .expect("a text message arrives");
        tianfu::platform::sms::code_in(&message.text).expect("the message holds a code")
    }

    /// Adds a registration code for the body's phone (asked for and read from the SMS), as
    /// registering with phone verification on needs.
    pub async fn with_code(&self, body: &mut Value) {
        let phone = body["phone"]
            .as_str()
            .expect("the body has a phone")
            .to_owned();
        body["sms_code"] = json!(self.code_for(&phone, "register").await);
    }

    pub async fn login(&self, phone: &str) -> String {
        self.login_reply(phone).await["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Signs in through the API with the password and answers the whole reply (token, user,
    /// `device_token`).
    pub async fn login_reply(&self, phone: &str) -> Value {
        self.login_with(json!({"phone": phone, "password": PASSWORD}))
            .await
    }

    /// Asks for a sign-in code as a person would and signs in with it instead of the password;
    /// answers the whole reply.
    pub async fn login_with_code(&self, phone: &str) -> Value {
        let code = self.code_for(phone, "login").await;
        self.login_with(json!({"phone": phone, "sms_code": code}))
            .await
    }

    async fn login_with(&self, body: Value) -> Value {
        let (status, reply) = self.post("/api/v1/auth/login", &body, None).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        reply
    }

    /// Creates a staff member (as the command line would) and returns their bearer token.
    /// A bearer token of a new staff member of `region` and `department`.
    pub async fn staff(&self, region: &str, department: &str) -> String {
        let phone = self
            .staff_member(region, department, &format!("{region}工作人员"))
            .await;
        self.login(&phone).await
    }

    /// Adds a staff member (password [`PASSWORD`]) and returns their phone, to sign in with.
    pub async fn staff_member(&self, region: &str, department: &str, name: &str) -> String {
        let phone = self.phone();
        let input = NewStaff {
            phone: phone.clone(),
            password: PASSWORD.into(),
            name: name.into(),
            region_code: region.into(),
            department: department.into(),
            admin: false,
        };
        add_staff(&self.app, None, input)
            .await
            .expect("staff created");
        phone
    }

    /// Adds an administrator (province, password [`PASSWORD`]) named `name` and returns their
    /// phone, to sign in with as a browser or for a token.
    pub async fn admin_member(&self, name: &str) -> String {
        let phone = self.phone();
        let input = NewStaff {
            phone: phone.clone(),
            password: PASSWORD.into(),
            name: name.into(),
            region_code: "51".into(),
            department: "worker".into(),
            admin: true,
        };
        add_staff(&self.app, None, input)
            .await
            .expect("admin created");
        phone
    }

    pub async fn admin(&self) -> String {
        let phone = self.phone();
        let input = NewStaff {
            phone: phone.clone(),
            password: PASSWORD.into(),
            name: "管理员".into(),
            region_code: "51".into(),
            department: "worker".into(),
            admin: true,
        };
        add_staff(&self.app, None, input)
            .await
            .expect("admin created");
        self.login(&phone).await
    }

    /// Approves studio `id` (new, or an edit) as a province 科技工作者服务部 reviewer does on the
    /// studio review page: studios are public once approved.
    pub async fn approve_studio(&self, id: i64) {
        let phone = self.staff_member("51", "worker", "省级工作室审核员").await;
        let browser = self.signed_in(&phone).await;
        let sql = format!("SELECT revision FROM studios WHERE id = {id}");
        let revision: i64 = tianfu::on_db!(&self.app.db, pool => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone())).fetch_one(pool).await.expect("the studio"));
        let response = browser
            .post(format!("{}/admin/studios/{id}/review", self.url))
            .form(&[("decision", "approve"), ("revision", &revision.to_string())])
            .send()
            .await
            .expect("review");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "studio approved");
        tianfu::market::indexer::catch_up(&self.app)
            .await
            .expect("the index follows");
    }

    /// Counts rows of a table, to show that a refused request changed nothing.
    pub async fn count(&self, table: &str) -> i64 {
        self.settle().await;
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        tianfu::on_db!(&self.app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect("count"))
    }

    /// Counts the rows of a table that match `condition` (SQL the test writes itself).
    pub async fn count_where(&self, table: &str, condition: &str) -> i64 {
        self.settle().await;
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE {condition}"));
        tianfu::on_db!(&self.app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect("count"))
    }

    /// Sums a column over the rows of a table that match `condition` (0 for none).
    pub async fn sum_where(&self, table: &str, column: &str, condition: &str) -> i64 {
        self.settle().await;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM {table} WHERE {condition}"
        ));
        tianfu::on_db!(&self.app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect("sum"))
    }

    /// A PATCH with a JSON body as `token`.
    pub async fn patch_json(&self, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .patch(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The newest audit actions, newest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        tianfu::platform::audit::latest(&self.app.db, 20)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .collect()
    }
}

/// The CSRF token a page put in its forms.
pub fn form_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("the page has a form with a token") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The session token a response sets, if it sets one.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    let prefix = format!("{}=", tianfu::platform::auth::COOKIE_NAME);
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(prefix.as_str()))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|v| !v.is_empty())
}

/// A valid unified social credit code, different for each `n`.
pub fn credit_code(n: u32) -> String {
    let body = format!("MA{:06}", n % 1_000_000);
    let check = tianfu_domain::CreditCode::org_code_check_for(&body).expect("body");
    let body = if check == 'X' {
        format!("MB{:06}", n % 1_000_000)
    } else {
        body
    };
    let check = tianfu_domain::CreditCode::org_code_check_for(&body).expect("body");
    assert_ne!(check, 'X', "pick another n");
    tianfu_domain::CreditCode::complete(&format!("91511011{body}{check}"))
        .expect("complete")
        .to_string()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase {
                admin_url,
                name,
                dir,
            } => {
                let _ = std::fs::remove_dir_all(dir);
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a thread with its own runtime may block.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async move {
                        if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(
                            &format!("{admin_url}/postgres"),
                        )
                        .await
                        {
                            let sql = sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ));
                            let _ = sqlx::raw_sql(sql).execute(&mut conn).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
