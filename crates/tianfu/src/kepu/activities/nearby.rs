//! 离我最近: where the person says they are (the browser's location, sent as `?lat=&lng=` and
//! never stored) and how far each activity's place is — pure rules: the point's checks, the
//! great-circle distance (haversine), the order, and how a distance reads.

use tianfu_domain::FieldErrors;

/// Mean Earth radius in kilometres (IUGG), which haversine assumes for a sphere.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// China's rough bounds in WGS-84 degrees, the same as a place's coordinates must fall in.
pub const LATITUDES: std::ops::RangeInclusive<f64> = 18.0..=54.0;
pub const LONGITUDES: std::ops::RangeInclusive<f64> = 73.0..=136.0;

/// A point on the map in WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// The person's point from the query's `lat` and `lng`: none when both are absent or empty;
/// otherwise both must be numbers inside China, each refusal naming its field in Chinese.
pub fn parse_point(lat: Option<&str>, lng: Option<&str>) -> Result<Option<Point>, FieldErrors> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let (lat, lng) = (given(lat), given(lng));
    if lat.is_none() && lng.is_none() {
        return Ok(None);
    }
    let mut errors = FieldErrors::new();
    let mut read =
        |field: &str, value: Option<&str>, name: &str, range: &std::ops::RangeInclusive<f64>| {
            let Some(value) = value else {
                errors.add(field, "请同时提供纬度（lat）和经度（lng）");
                return None;
            };
            match value.parse::<f64>() {
                Ok(number) if range.contains(&number) => Some(number),
                Ok(_) => {
                    errors.add(
                        field,
                        format!(
                            "{name}应在{}至{}度之间（中国境内）",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
                Err(_) => {
                    errors.add(field, format!("{name}应为数字（度）"));
                    None
                }
            }
        };
    let lat = read("lat", lat, "纬度", &LATITUDES);
    let lng = read("lng", lng, "经度", &LONGITUDES);
    errors.into_result()?;
    Ok(lat.zip(lng).map(|(lat, lng)| Point { lat, lng }))
}

/// The great-circle distance between two points in kilometres (haversine).
pub fn distance_km(a: Point, b: Point) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lng - a.lng).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// "约 3.2 公里" (never "约 0.0 公里": a place next door reads 约 0.1 公里).
pub fn shown(km: f64) -> String {
    format!("约 {:.1} 公里", km.max(0.1))
}

/// Orders `items` by distance from `me`: those whose place has coordinates nearest first, the
/// rest after them in the order given (soonest first, as the list came). Stable, so two at one
/// place keep their time order. Answers each item with its distance.
pub fn by_distance<T>(
    items: Vec<T>,
    me: Point,
    at: impl Fn(&T) -> Option<Point>,
) -> Vec<(T, Option<f64>)> {
    let mut out: Vec<(T, Option<f64>)> = items
        .into_iter()
        .map(|item| {
            let km = at(&item).map(|p| distance_km(me, p));
            (item, km)
        })
        .collect();
    out.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHENGDU: Point = Point {
        lat: 30.660,
        lng: 104.066,
    };

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of longitude on the equator is 111.2 km.
        let d = distance_km(Point { lat: 0.0, lng: 0.0 }, Point { lat: 0.0, lng: 1.0 });
        assert!((d - 111.195).abs() < 0.01, "{d}");
        // Beijing to Shanghai, about 1,068 km.
        let d = distance_km(
            Point {
                lat: 39.9042,
                lng: 116.4074,
            },
            Point {
                lat: 31.2304,
                lng: 121.4737,
            },
        );
        assert!((1060.0..1075.0).contains(&d), "{d}");
        assert_eq!(distance_km(CHENGDU, CHENGDU), 0.0);
        // Symmetric.
        let neijiang = Point {
            lat: 29.580,
            lng: 105.058,
        };
        assert!((distance_km(CHENGDU, neijiang) - distance_km(neijiang, CHENGDU)).abs() < 1e-9);
    }

    #[test]
    fn distances_read_to_one_decimal() {
        assert_eq!(shown(3.24), "约 3.2 公里");
        assert_eq!(shown(0.0), "约 0.1 公里");
        assert_eq!(shown(152.06), "约 152.1 公里");
    }

    #[test]
    fn nearest_first_and_those_without_coordinates_last_in_their_order() {
        let far = Some(Point {
            lat: 30.335,
            lng: 106.930,
        });
        let near = Some(Point {
            lat: 30.642,
            lng: 104.043,
        });
        let items = vec![("a", None), ("far", far), ("b", None), ("near", near)];
        let ordered = by_distance(items, CHENGDU, |(_, p)| *p);
        let names: Vec<&str> = ordered.iter().map(|((n, _), _)| *n).collect();
        assert_eq!(names, ["near", "far", "a", "b"]);
        assert!(ordered[0].1.unwrap() < 5.0 && ordered[1].1.unwrap() > 200.0);
        assert_eq!(ordered[2].1, None);
    }

    #[test]
    fn the_point_is_both_numbers_inside_china() {
        assert_eq!(parse_point(None, None), Ok(None));
        assert_eq!(parse_point(Some(""), Some(" ")), Ok(None));
        assert_eq!(
            parse_point(Some("30.66"), Some("104.07")),
            Ok(Some(Point {
                lat: 30.66,
                lng: 104.07
            }))
        );
        let fields = |e: FieldErrors| e.into_map().into_keys().collect::<Vec<_>>();
        assert_eq!(
            fields(parse_point(Some("30.66"), None).unwrap_err()),
            ["lng"]
        );
        assert_eq!(fields(parse_point(None, Some("104")).unwrap_err()), ["lat"]);
        assert_eq!(
            fields(parse_point(Some("51.5"), Some("-0.12")).unwrap_err()),
            ["lng"]
        );
        assert_eq!(
            fields(parse_point(Some("-33.9"), Some("151.2")).unwrap_err()),
            ["lat", "lng"]
        );
        assert_eq!(
            fields(parse_point(Some("abc"), Some("104")).unwrap_err()),
            ["lat"]
        );
        assert_eq!(
            fields(parse_point(Some("NaN"), Some("inf")).unwrap_err()),
            ["lat", "lng"]
        );
        let message = parse_point(Some("60"), Some("104")).unwrap_err();
        assert!(message.get("lat").unwrap().contains("纬度"));
    }
}
