//! The viewer's memory budget or device (issue 27) stays in a cookie once chosen, so the detail
//! and compare pages draw their estimates against it and the catalog offers it again.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use crate::catalog::devices::{Budget, parse_budget};

pub const NAME: &str = "xero_budget";
const DAYS: i64 = 365;

/// The budget the cookie holds, when it reads as one.
pub fn read(request: &HttpRequest) -> Option<Budget> {
    let cookie = request.cookie(NAME)?;
    parse_budget(cookie.value()).ok()
}

/// The cookie remembering `budget` (it says only which device or size: not secret).
pub fn cookie(budget: &Budget) -> Cookie<'static> {
    Cookie::build(NAME, budget.text())
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(DAYS))
        .finish()
}
