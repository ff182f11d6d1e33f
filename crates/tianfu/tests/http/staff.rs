//! The staff console API: users of one's own region subtree, and staff created from above.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp};
use crate::on_both_databases;

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn staff_see_the_users_of_their_subtree_only(app: TestApp) {
    app.register("worker", "内江东兴甲", "511011").await;
    app.register("org", "内江威远乙", "511024").await;
    app.register("public", "广安邻水丙", "511623").await;
    let neijiang = app.staff("5110", "worker").await;
    let dongxing = app.staff("511011", "worker").await;
    let province = app.staff("51", "org").await;

    let (status, list) = app
        .get("/api/v1/admin/users?role=worker", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&list), ["内江东兴甲"]);
    let (_, list) = app.get("/api/v1/admin/users?q=内江", Some(&neijiang)).await;
    assert_eq!(names(&list), ["内江东兴甲", "内江威远乙"]);
    assert_eq!(list["total"], 2);

    let (_, list) = app.get("/api/v1/admin/users?q=内江", Some(&dongxing)).await;
    assert_eq!(
        names(&list),
        ["内江东兴甲"],
        "a county sees its county only"
    );

    let (_, list) = app
        .get("/api/v1/admin/users?role=public", Some(&province))
        .await;
    assert_eq!(names(&list), ["广安邻水丙"], "the province sees every city");
}

async fn search_by_phone_and_organisation_and_paging(app: TestApp) {
    let (_, phone) = app.register("worker", "张三", "5110").await;
    app.register("org", "四川蜀信", "5110").await;
    for i in 0..5 {
        app.register("public", &format!("群众{i}"), "511025").await;
    }
    let staff = app.staff("5110", "worker").await;
    let (_, list) = app
        .get(&format!("/api/v1/admin/users?q={phone}"), Some(&staff))
        .await;
    assert_eq!(names(&list), ["张三"]);
    let (_, list) = app
        .get("/api/v1/admin/users?q=蜀信有限", Some(&staff))
        .await;
    assert_eq!(
        names(&list),
        ["四川蜀信"],
        "organisation names are searched too"
    );
    let (_, list) = app.get("/api/v1/admin/users?q=%25", Some(&staff)).await;
    assert_eq!(list["total"], 0, "a % typed by a person is literal");

    let (_, page1) = app
        .get(
            "/api/v1/admin/users?role=public&per_page=2&page=1",
            Some(&staff),
        )
        .await;
    let (_, page3) = app
        .get(
            "/api/v1/admin/users?role=public&per_page=2&page=3",
            Some(&staff),
        )
        .await;
    assert_eq!(page1["total"], 5);
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    assert_eq!(page3["items"].as_array().unwrap().len(), 1);
    assert_eq!(page1["items"][0]["name"], "群众4", "newest first");
    let (status, refused) = app
        .get("/api/v1/admin/users?per_page=1000", Some(&staff))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no silent cap: {refused}"
    );
    assert_eq!(
        refused["error"]["fields"]["per_page"],
        "每页条数应在1到100之间"
    );
    let (status, _) = app.get("/api/v1/admin/users?page=abc", Some(&staff)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn a_region_filter_must_stay_inside_the_scope(app: TestApp) {
    app.register("worker", "威远科技工作者", "511024").await;
    let neijiang = app.staff("5110", "worker").await;
    let (status, list) = app
        .get("/api/v1/admin/users?region_code=511024", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&list), ["威远科技工作者"]);
    let (status, list) = app
        .get("/api/v1/admin/users?region_code=511011", Some(&neijiang))
        .await;
    assert_eq!((status, list["total"].as_i64()), (StatusCode::OK, Some(0)));

    let (status, reply) = app
        .get("/api/v1/admin/users?region_code=5116", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(reply["error"]["code"], "forbidden");
    assert_eq!(
        reply["error"]["message"],
        "您无权访问该内容（超出您的管辖范围）"
    );
    assert_eq!(app.audit_actions().await[0], "permission.denied");
    let (status, _) = app
        .get("/api/v1/admin/users?region_code=51", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the parent either");
    let (status, reply) = app
        .get("/api/v1/admin/users?region_code=5999", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["region_code"], "地区代码不存在");
    let (status, _) = app
        .get("/api/v1/admin/users?role=king", Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn one_user_is_visible_only_within_scope(app: TestApp) {
    let (id, _) = app.register("worker", "邻水专家", "511623").await;
    let guang_an = app.staff("5116", "worker").await;
    let neijiang = app.staff("5110", "worker").await;
    let (status, user) = app
        .get(&format!("/api/v1/admin/users/{id}"), Some(&guang_an))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["name"], "邻水专家");
    assert_eq!(user["region_name"], "四川省 广安市 邻水县");
    let (status, _) = app
        .get(&format!("/api/v1/admin/users/{id}"), Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let audit = tianfu::platform::audit::latest(&app.app.db, 1)
        .await
        .unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].subject.as_str()),
        ("permission.denied", format!("user:{id}").as_str())
    );
    assert_eq!(
        app.get("/api/v1/admin/users/999999", Some(&guang_an))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn only_staff_reach_the_console(app: TestApp) {
    let (_, phone) = app.register("worker", "普通用户", "5110").await;
    let token = app.login(&phone).await;
    let (status, reply) = app.get("/api/v1/admin/users", Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(reply["error"]["message"], "仅服务中心工作人员可以访问");
    assert_eq!(app.audit_actions().await[0], "permission.denied");
    assert_eq!(
        app.get("/api/v1/admin/users", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "冒充", "region_code": "511011", "department": "worker"});
    assert_eq!(
        app.post("/api/v1/admin/staff", &body, Some(&token)).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn staff_are_created_from_above(app: TestApp) {
    let city = app.staff("5110", "worker").await;
    let county_phone = app.phone();
    let body = json!({"phone": county_phone, "password": PASSWORD, "name": "东兴区工作人员", "region_code": "511011", "department": "org"});
    let (status, reply) = app.post("/api/v1/admin/staff", &body, Some(&city)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let county = app.login(&county_phone).await;
    let (_, me) = app.get("/api/v1/me", Some(&county)).await;
    assert_eq!(
        (
            me["role"].as_str(),
            me["department"].as_str(),
            me["region_code"].as_str()
        ),
        (Some("staff"), Some("org"), Some("511011"))
    );
    let audit = tianfu::platform::audit::latest(&app.app.db, 5)
        .await
        .unwrap();
    let created = audit
        .iter()
        .find(|row| row.action == "staff.created")
        .expect("audited");
    assert_eq!(created.detail, "staff org 511011");
    assert!(
        created.actor_id.is_some(),
        "the creating staff member is recorded"
    );

    let staff_count = app.count("users").await;
    for region in ["5110", "5116", "51"] {
        let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "越权", "region_code": region, "department": "worker"});
        let (status, _) = app.post("/api/v1/admin/staff", &body, Some(&city)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{region}");
    }
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "越权", "region_code": "511011", "department": "worker"});
    assert_eq!(
        app.post("/api/v1/admin/staff", &body, Some(&county))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "a county has no level below"
    );
    assert_eq!(
        app.count("users").await,
        staff_count,
        "refusals created nobody"
    );

    let bad =
        json!({"phone": "1", "password": "x", "name": "", "region_code": "", "department": "boss"});
    let (status, reply) = app.post("/api/v1/admin/staff", &bad, Some(&city)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = reply["error"]["fields"].as_object().unwrap();
    for field in ["phone", "password", "name", "region_code", "department"] {
        assert!(
            fields.contains_key(field),
            "{field} should be reported: {reply}"
        );
    }
    let duplicate = json!({"phone": county_phone, "password": PASSWORD, "name": "重复", "region_code": "511024", "department": "kepu"});
    let (status, reply) = app
        .post("/api/v1/admin/staff", &duplicate, Some(&city))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(reply["error"]["fields"]["phone"], "该手机号已注册");
}

async fn administrators_see_and_staff_every_region(app: TestApp) {
    app.register("worker", "重庆专家", "500101").await;
    let admin = app.admin().await;
    let (_, list) = app
        .get("/api/v1/admin/users?role=worker", Some(&admin))
        .await;
    assert_eq!(names(&list), ["重庆专家"]);
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "省级科普", "region_code": "51", "department": "kepu"});
    assert_eq!(
        app.post("/api/v1/admin/staff", &body, Some(&admin)).await.0,
        StatusCode::CREATED
    );
}

on_both_databases!(
    staff_see_the_users_of_their_subtree_only,
    search_by_phone_and_organisation_and_paging,
    a_region_filter_must_stay_inside_the_scope,
    one_user_is_visible_only_within_scope,
    only_staff_reach_the_console,
    staff_are_created_from_above,
    administrators_see_and_staff_every_region,
);
