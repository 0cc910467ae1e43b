//! Stored times (RFC 3339 with microseconds) as people read them: "4 min ago" for the recent
//! past, a date and minute in UTC beyond a day. The exact stamp stays in the `title`.

use maud::{Markup, html};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `stamp` relative to `now`; text that is not a time is shown as it is.
pub fn human(stamp: &str, now: OffsetDateTime) -> String {
    let Ok(at) = OffsetDateTime::parse(stamp, &Rfc3339) else {
        return stamp.to_owned();
    };
    let seconds = (now - at).whole_seconds();
    match seconds {
        s if s < -60 => absolute(at),
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        _ => absolute(at),
    }
}

fn absolute(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// A `<time>` element: the human text, the exact stamp as its machine value and tooltip.
pub fn time_tag(stamp: &str) -> Markup {
    html! { time datetime=(stamp) title=(stamp) { (human(stamp, OffsetDateTime::now_utc())) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_say_them() {
        let now = OffsetDateTime::parse("2026-12-04T10:00:00Z", &Rfc3339).unwrap();
        assert_eq!(human("2026-12-04T09:59:30.123456Z", now), "just now");
        assert_eq!(human("2026-12-04T09:55:00Z", now), "5 min ago");
        assert_eq!(human("2026-12-04T07:00:00Z", now), "3 h ago");
        assert_eq!(
            human("2026-11-30T14:02:59.999999Z", now),
            "2026-11-30 14:02 UTC"
        );
        assert_eq!(human("not a time", now), "not a time");
    }
}
