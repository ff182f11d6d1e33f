//! A person names their township (乡镇/街道) after registering, on their profile: they may move
//! to any township of the county they are in, or back to the county itself. Moving county is not
//! offered: the county's nanny would lose them and their past figures stay booked there, so that
//! is a matter for the service centre.

use tianfu_domain::RegionCode;

use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::regions::RegionTree;

/// A checked move: where to, inside which county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub to: RegionCode,
    pub county: RegionCode,
}

/// Checks the region a person asked for against their own. `None` when there is nothing to do
/// (no region sent, or the one they are in).
pub fn requested_move(
    tree: &RegionTree,
    me: &Actor,
    requested: Option<&str>,
) -> Result<Option<Move>, AppError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    let to = RegionCode::parse(requested)
        .map_err(|error| AppError::validation("region_code", error.to_string()))?;
    if to == me.region {
        return Ok(None);
    }
    if me.role.is_staff() {
        return Err(AppError::Forbidden(
            "工作人员的所属地区由上级或管理员设定，不能在此修改".into(),
        ));
    }
    if tree.get(&to).is_none() {
        return Err(AppError::validation("region_code", "地区代码不存在"));
    }
    let Some(county) = me.region.county() else {
        return Err(AppError::validation(
            "region_code",
            "您登记的所在地区未到县（市、区），不能在此选择乡镇（街道），请联系服务中心",
        ));
    };
    if !county.contains(&to) {
        return Err(AppError::validation(
            "region_code",
            "只能选择您所在县（市、区）内的乡镇（街道）；迁往其他区县请联系服务中心",
        ));
    }
    Ok(Some(Move { to, county }))
}

/// The townships a person may choose on their profile page: their county's, or none when they
/// are above the county (or staff).
pub fn choices<'a>(tree: &'a RegionTree, me: &Actor) -> Vec<&'a crate::regions::Region> {
    match me.region.county() {
        Some(county) if !me.role.is_staff() => tree.children(Some(&county)),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::Region;
    use tianfu_domain::{Role, UserId};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn tree() -> RegionTree {
        let region = |c: &str, name: &str| Region {
            code: code(c),
            parent: code(c).parent(),
            name: name.into(),
        };
        RegionTree::new(vec![
            region("51", "四川省"),
            region("5116", "广安市"),
            region("511623", "邻水县"),
            region("511623100", "鼎屏镇"),
            region("511623101", "城北镇"),
            region("511621", "岳池县"),
            region("511621100", "九龙街道"),
        ])
    }

    fn person(region: &str, role: Role) -> Actor {
        Actor {
            id: UserId(7),
            role,
            name: "邓大哥".into(),
            phone: "13700000001".into(),
            region: code(region),
            region_name: String::new(),
            department: None,
            badges: Default::default(),
        }
    }

    fn message(error: AppError) -> String {
        error.fields().into_values().next().unwrap_or_default()
    }

    #[test]
    fn a_person_moves_within_their_county_only() {
        let tree = tree();
        let me = person("511623", Role::Public);
        assert_eq!(
            requested_move(&tree, &me, Some("511623100")).unwrap(),
            Some(Move {
                to: code("511623100"),
                county: code("511623")
            })
        );
        let in_township = person("511623100", Role::Public);
        assert_eq!(
            requested_move(&tree, &in_township, Some("511623101"))
                .unwrap()
                .map(|m| m.to),
            Some(code("511623101"))
        );
        assert_eq!(
            requested_move(&tree, &in_township, Some("511623"))
                .unwrap()
                .map(|m| m.to),
            Some(code("511623")),
            "back to the county"
        );
        assert_eq!(requested_move(&tree, &me, None).unwrap(), None);
        assert_eq!(requested_move(&tree, &me, Some("511623")).unwrap(), None);
        let elsewhere = requested_move(&tree, &me, Some("511621100")).unwrap_err();
        assert!(message(elsewhere).starts_with("只能选择您所在县"));
        assert!(requested_move(&tree, &me, Some("5116")).is_err(), "not up");
    }

    #[test]
    fn bad_codes_and_staff_are_refused() {
        let tree = tree();
        let me = person("511623", Role::Worker);
        assert_eq!(
            message(requested_move(&tree, &me, Some("5116231")).unwrap_err()),
            "地区代码应为2、4、6或9位数字"
        );
        assert_eq!(
            message(requested_move(&tree, &me, Some("511623999")).unwrap_err()),
            "地区代码不存在"
        );
        let city_person = person("5116", Role::Public);
        assert!(
            message(requested_move(&tree, &city_person, Some("511623100")).unwrap_err())
                .contains("未到县")
        );
        let staff = person("511623", Role::Staff);
        assert!(matches!(
            requested_move(&tree, &staff, Some("511623100")),
            Err(AppError::Forbidden(_))
        ));
        assert!(choices(&tree, &staff).is_empty());
        assert_eq!(choices(&tree, &me).len(), 2);
        assert!(choices(&tree, &city_person).is_empty());
    }
}
