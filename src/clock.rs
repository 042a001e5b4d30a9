//! Today's date where the agencies are: Japan (UTC+9, no daylight saving).

use banso_events::domain::values::Day;
use time::{OffsetDateTime, UtcOffset};

/// Japan Standard Time.
const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+09:00 is a valid offset"),
};

/// Today's date in Japan.
pub fn today_in_japan() -> Day {
    let now = OffsetDateTime::now_utc().to_offset(JST);
    Day::from_date(now.date()).expect("the system clock reads a year between 1900 and 2100")
}
