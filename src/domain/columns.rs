//! Which columns of Osclass' `t_user` travel between sites, and which belong to one site.

/// Columns that are meaningful on every site and travel with a user, in table order.
/// A site has only some of them (the `_native` ones and `fk_c_locale_code` exist in the
/// OsclassPoint fork only); a column the other side lacks is skipped.
pub const SYNCED: &[&str] = &[
    "dt_reg_date",
    "dt_mod_date",
    "s_name",
    "s_username",
    "s_password",
    "s_email",
    "s_website",
    "s_phone_land",
    "s_phone_mobile",
    "b_enabled",
    "b_active",
    "fk_c_country_code",
    "s_country",
    "s_country_native",
    "s_address",
    "s_zip",
    "fk_i_region_id",
    "s_region",
    "s_region_native",
    "fk_i_city_id",
    "s_city",
    "s_city_native",
    "fk_i_city_area_id",
    "s_city_area",
    "d_coord_lat",
    "d_coord_long",
    "b_company",
    "fk_c_locale_code",
];

/// Columns that describe the user on one site only: ids, counters, access traces, one-time
/// codes and tokens. They never travel, and a custom column may not name one of them.
pub const SITE_LOCAL: &[&str] = &[
    "pk_i_id",
    "s_secret",
    "s_pass_code",
    "s_pass_date",
    "s_pass_ip",
    "i_items",
    "i_comments",
    "dt_access_date",
    "s_access_ip",
    "i_login_fails",
    "dt_login_fail_date",
    "s_profile_img",
];

/// The pseudo-column an account selects to receive `t_user_description` rows.
pub const DESCRIPTIONS: &str = "descriptions";

/// Columns whose value is an id of the site's own location tables.
pub const LOCATION_IDS: &[&str] = &["fk_i_region_id", "fk_i_city_id", "fk_i_city_area_id"];

/// Flags, stored as TINYINT(1) and sent as 0 or 1.
pub const FLAGS: &[&str] = &["b_enabled", "b_active", "b_company"];

/// Columns a new user needs before Osclass can show it.
pub const REQUIRED_FOR_INSERT: &[&str] = &["s_email", "s_name", "s_password"];

pub fn is_synced(column: &str) -> bool {
    SYNCED.contains(&column)
}

pub fn is_site_local(column: &str) -> bool {
    SITE_LOCAL.contains(&column)
}

pub fn is_flag(column: &str) -> bool {
    FLAGS.contains(&column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synced_and_local_columns_do_not_overlap() {
        for c in SYNCED {
            assert!(!is_site_local(c), "{c}");
        }
        assert!(is_synced("s_password"));
        assert!(is_site_local("s_secret"));
        assert!(!is_synced("i_items"));
    }
}
