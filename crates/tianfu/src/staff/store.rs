//! SQL for the staff console: users in a region subtree, and creating staff accounts.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tianfu_domain::{
    Department, FieldErrors, Password, PersonName, Phone, RegionCode, RegionLevel, Role, UserId,
};
use utoipa::ToSchema;

use crate::accounts::store::conflict;
use crate::platform::api::Paging;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{Actor, hash_password};
use crate::platform::db::{Db, is_unique_violation};
use crate::platform::error::AppError;
use crate::platform::scope::{self, RegionScope};
use crate::{App, on_db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub role: String,
    pub name: String,
    pub phone: String,
    pub region_code: String,
    pub department: Option<String>,
    pub created_at: DateTime<Utc>,
    pub org_name: Option<String>,
}

/// Filters for the user list; empty strings mean "any".
#[derive(Debug, Default)]
pub struct UserFilter {
    pub scope: Option<RegionScope>,
    /// Part of a name or phone number.
    pub query: String,
    pub role: Option<Role>,
}

/// Bytewise bounds of the scope; every code is digits, which sort below `~`.
fn bounds(scope: &RegionScope) -> (String, String) {
    match scope {
        RegionScope::All => (String::new(), "~".into()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    }
}

/// `%…%` for LIKE, with the user's own `%`, `_` and `\` taken literally.
pub fn contains_pattern(query: &str) -> String {
    let escaped: String = query
        .chars()
        .flat_map(|c| {
            if matches!(c, '%' | '_' | '\\') {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    format!("%{escaped}%")
}

// SQL fragments as macros so that each query is one `&'static str` (sqlx refuses strings built
// at run time unless they are asserted safe).
macro_rules! user_select {
    () => {
        "SELECT u.id, u.role, u.name, u.phone, u.region_code, u.department, u.created_at, o.name AS org_name \
         FROM users u LEFT JOIN organizations o ON o.user_id = u.id "
    };
}
macro_rules! user_filter {
    () => {
        "WHERE u.region_code >= $1 AND u.region_code < $2 \
         AND ($3 = '' OR u.name LIKE $4 ESCAPE '\\' OR u.phone LIKE $4 ESCAPE '\\' OR o.name LIKE $4 ESCAPE '\\') \
         AND ($5 = '' OR u.role = $5) "
    };
}

/// A page of the users in scope, newest first, and how many there are in all. The region range
/// uses the `users_region` index; a name search narrows within it.
pub async fn list_users(
    db: &Db,
    filter: &UserFilter,
    paging: Paging,
) -> Result<(Vec<UserRow>, i64), sqlx::Error> {
    let (low, high) = bounds(filter.scope.as_ref().unwrap_or(&RegionScope::All));
    let query = filter.query.trim();
    let pattern = contains_pattern(query);
    let role = filter.role.map(|r| r.as_str()).unwrap_or("");
    const LIST_SQL: &str = concat!(
        user_select!(),
        user_filter!(),
        "ORDER BY u.id DESC LIMIT $6 OFFSET $7"
    );
    const COUNT_SQL: &str = concat!(
        "SELECT COUNT(*) FROM users u LEFT JOIN organizations o ON o.user_id = u.id ",
        user_filter!()
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, UserRow>(LIST_SQL)
            .bind(&low).bind(&high).bind(query).bind(&pattern).bind(role)
            .bind(paging.limit()).bind(paging.offset())
            .fetch_all(pool)
            .await?;
        let total: i64 = sqlx::query_scalar(COUNT_SQL)
            .bind(&low).bind(&high).bind(query).bind(&pattern).bind(role)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

pub async fn find_user(db: &Db, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    const SQL: &str = concat!(user_select!(), "WHERE u.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, UserRow>(SQL).bind(id.0).fetch_optional(pool).await)
}

/// A staff account to create, as typed into the console, the API or the command line.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region_code: String,
    /// worker（科技工作者服务部）, org（企事业单位服务部） or kepu（全民科普服务部）.
    #[serde(default)]
    pub department: String,
    /// Administrator instead of staff; only the command line may set it.
    #[serde(default, skip)]
    pub admin: bool,
}

/// Creates a staff account. `creator` is the staff member doing it (checked against scope and
/// audited); `None` is the command line, run by whoever administers the machine.
pub async fn add_staff(
    app: &App,
    creator: Option<(&Actor, Option<&str>)>,
    input: NewStaff,
) -> Result<UserId, AppError> {
    let mut errors = FieldErrors::new();
    let phone = errors.check("phone", Phone::parse(&input.phone));
    let password = errors.check("password", Password::parse(&input.password));
    let name = errors.check("name", PersonName::parse(&input.name, "姓名", 50));
    let department = errors.check("department", Department::parse(&input.department));
    let region = app.regions.find(&input.region_code).map(|r| r.code.clone());
    match &region {
        None => errors.add(
            "region_code",
            if input.region_code.trim().is_empty() {
                "请选择所属地区"
            } else {
                "地区代码不存在"
            },
        ),
        // Service centres are at the province, the cities and the counties; a township's
        // people are served by their county's staff.
        Some(code) if code.level() > RegionLevel::County => errors.add(
            "region_code",
            "工作人员所属地区应为省、市（州）或县（市、区），不能是乡镇（街道）",
        ),
        Some(_) => {}
    }
    errors.into_result()?;
    let (phone, password, name, department, region) = (
        phone.expect("checked"),
        password.expect("checked"),
        name.expect("checked"),
        department.expect("checked"),
        region.expect("checked"),
    );
    if let Some((actor, ip)) = creator {
        let subject = format!("staff-for-region:{region}");
        scope::ensure(
            app,
            actor,
            scope::can_create_staff_in(actor, &region),
            &subject,
            ip,
        )
        .await?;
    }
    let role = if input.admin && creator.is_none() {
        Role::Admin
    } else {
        Role::Staff
    };
    let hash = hash_password(password.expose().to_owned()).await?;
    let now = app.clock.now();
    let id = insert_staff(
        &app.db,
        role,
        &phone,
        &hash,
        &name,
        &region,
        department,
        creator.map(|(a, _)| a.id),
        now,
    )
    .await?;
    let detail = format!("{} {} {}", role.as_str(), department.as_str(), region);
    audit::record(
        &app.db,
        now,
        AuditEntry {
            actor: creator.map(|(a, _)| a.id),
            action: "staff.created",
            subject: &format!("user:{id}"),
            ip: creator.and_then(|(_, ip)| ip),
            detail: &detail,
        },
    )
    .await;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_staff(
    db: &Db,
    role: Role,
    phone: &Phone,
    hash: &str,
    name: &PersonName,
    region: &RegionCode,
    department: Department,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<UserId, AppError> {
    let result: Result<i64, sqlx::Error> = on_db!(db, pool => {
        sqlx::query_scalar(
            "INSERT INTO users (role, phone, password_hash, name, region_code, department, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(role.as_str())
        .bind(phone.as_str())
        .bind(hash)
        .bind(name.as_str())
        .bind(region.as_str())
        .bind(department.as_str())
        .bind(created_by.map(|id| id.0))
        .bind(now)
        .fetch_one(pool)
        .await
    });
    result.map(UserId).map_err(|error| {
        if is_unique_violation(&error, "users", "phone") {
            conflict("phone", "该手机号已注册")
        } else {
            error.into()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("张"), "%张%");
        assert_eq!(contains_pattern("50%_"), "%50\\%\\_%");
    }
}
