//! The administrative tree over the API.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_databases;

async fn sichuan_has_21_cities_and_183_counties(app: TestApp) {
    let (status, province) = app.get("/api/v1/regions/51", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(province["name"], "四川省");
    assert_eq!(province["level"], "province");
    assert!(province["parent_code"].is_null());

    let (_, cities) = app.get("/api/v1/regions/51/children", None).await;
    assert_eq!(cities["total"], 21);
    let mut counties = 0;
    for city in cities["items"].as_array().unwrap() {
        assert_eq!(city["level"], "city");
        let (_, children) = app
            .get(
                &format!(
                    "/api/v1/regions/{}/children",
                    city["code"].as_str().unwrap()
                ),
                None,
            )
            .await;
        counties += children["total"].as_i64().unwrap();
    }
    assert_eq!(counties, 183);
}

async fn a_county_knows_its_place(app: TestApp) {
    let (status, county) = app.get("/api/v1/regions/511623", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(county["name"], "邻水县");
    assert_eq!(county["level"], "county");
    assert_eq!(county["parent_code"], "5116");
    assert_eq!(county["full_name"], "四川省 广安市 邻水县");
    let (_, children) = app.get("/api/v1/regions/511623/children", None).await;
    assert_eq!(children["total"], 25, "邻水县's 乡镇");
    for township in children["items"].as_array().unwrap() {
        let code = township["code"].as_str().unwrap();
        assert_eq!(code.len(), 9, "{code}");
        assert!(code.starts_with("511623"), "{code}");
        assert_eq!(township["level"], "township");
        assert_eq!(township["parent_code"], "511623");
    }
    assert_eq!(children["items"][0]["code"], "511623100");
    assert_eq!(children["items"][0]["name"], "鼎屏镇");
}

async fn a_township_knows_its_place(app: TestApp) {
    let (status, township) = app.get("/api/v1/regions/511011001", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(township["name"], "东兴街道");
    assert_eq!(township["level"], "township");
    assert_eq!(township["parent_code"], "511011");
    assert_eq!(township["full_name"], "四川省 内江市 东兴区 东兴街道");
    let (status, children) = app.get("/api/v1/regions/511011001/children", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(children["total"], 0, "the tree stops at the township");
}

async fn start_up_restores_the_table_from_the_data_file(app: TestApp) {
    let rows = app.count("regions").await;
    assert_eq!(
        rows, 3357,
        "1 + 21 + 183 + 3,111 in Sichuan, 1 + 2 + 38 in Chongqing"
    );
    tianfu::on_db!(&app.app.db, pool => {
        sqlx::query("UPDATE regions SET name = '改错了' WHERE code = '511623100'").execute(pool).await.unwrap();
        sqlx::query("DELETE FROM regions WHERE code = '511623101'").execute(pool).await.unwrap();
    });
    let tree = tianfu::regions::store::load_tree(&app.app.db)
        .await
        .expect("loads");
    assert_eq!(tree.len(), 3357);
    assert_eq!(tree.find("511623100").unwrap().name, "鼎屏镇");
    assert_eq!(tree.find("511623101").unwrap().name, "城北镇");
    assert_eq!(app.count("regions").await, rows);
    let name: String = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT name FROM regions WHERE code = '511623100'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(name, "鼎屏镇");
}

async fn chongqing_stays_at_county_depth(app: TestApp) {
    let (_, children) = app.get("/api/v1/regions/500101/children", None).await;
    assert_eq!(children["total"], 0);
}

async fn chongqing_is_there_for_the_bashu_extension(app: TestApp) {
    let (status, chongqing) = app.get("/api/v1/regions/50", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(chongqing["name"], "重庆市");
    let (_, wanzhou) = app.get("/api/v1/regions/500101", None).await;
    assert_eq!(wanzhou["name"], "万州区");
}

async fn unknown_regions_are_404_in_chinese(app: TestApp) {
    for code in ["52", "519999", "511623999", "5116231", "abc"] {
        let (status, reply) = app.get(&format!("/api/v1/regions/{code}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{code}");
        assert_eq!(reply["error"]["code"], "not_found");
        assert_eq!(reply["error"]["message"], "地区不存在");
    }
    assert_eq!(
        app.get("/api/v1/regions/52/children", None).await.0,
        StatusCode::NOT_FOUND
    );
}

on_both_databases!(
    sichuan_has_21_cities_and_183_counties,
    a_county_knows_its_place,
    a_township_knows_its_place,
    chongqing_stays_at_county_depth,
    start_up_restores_the_table_from_the_data_file,
    chongqing_is_there_for_the_bashu_extension,
    unknown_regions_are_404_in_chinese,
);
