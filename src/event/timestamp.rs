//! `eventDate`: an RFC 3339 UTC timestamp with 0 to 7 fractional digits, e.g.
//! `2025-06-06T11:39:22.739326Z` (.NET writes up to 7).

/// Milliseconds since the Unix epoch of an RFC 3339 UTC timestamp, or `None` if `text` is not
/// one. `Z` and `+00:00` are UTC; other offsets are refused (Zentitle sends UTC).
pub fn parse_utc_millis(text: &str) -> Option<i64> {
    utc_millis(text.as_bytes())
}

/// [`parse_utc_millis`] of the bytes of a string (the scanner's, unescaped: no UTF-8 check
/// is needed, as a timestamp is ASCII).
pub(crate) fn utc_millis(b: &[u8]) -> Option<i64> {
    let date_time = b.get(..19)?;
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T' | b't', h0, h1, b':', mi0, mi1, b':', s0, s1] =
        *date_time
    else {
        return None;
    };
    let year = digits(&[y0, y1, y2, y3])?;
    let month = digits(&[mo0, mo1])?;
    let day = digits(&[d0, d1])?;
    let hour = digits(&[h0, h1])?;
    let minute = digits(&[mi0, mi1])?;
    let second = digits(&[s0, s1])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut millis = 0i64;
    if let Some((b'.', fraction)) = rest.split_first() {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=7).contains(&count) {
            return None;
        }
        let (digits_part, tail) = fraction.split_at(count);
        for (i, &c) in digits_part.iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
        rest = tail;
    }
    if !matches!(rest, b"Z" | b"z" | b"+00:00") {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

fn digits(ds: &[u8]) -> Option<i64> {
    ds.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn known_instants() {
        assert_eq!(parse_utc_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_utc_millis("2025-06-06T11:39:22.739326Z"),
            Some(1_749_209_962_739)
        );
        assert_eq!(
            parse_utc_millis("2025-06-06T11:39:22Z"),
            Some(1_749_209_962_000)
        );
        assert_eq!(
            parse_utc_millis("2025-06-06T11:39:22.7393261Z"),
            Some(1_749_209_962_739)
        );
        assert_eq!(
            parse_utc_millis("2024-02-29T23:59:59.9+00:00"),
            Some(1_709_251_199_900)
        );
        assert_eq!(parse_utc_millis("1969-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "2025-06-06",
            "2025-06-06 11:39:22Z",
            "2025-06-06T11:39:22",
            "2025-06-06T11:39:22.Z",
            "2025-06-06T11:39:22.12345678Z",
            "2025-06-06T11:39:22+02:00",
            "2025-13-06T11:39:22Z",
            "2025-02-29T11:39:22Z",
            "2025-06-31T11:39:22Z",
            "2025-06-06T24:00:00Z",
            "2025-06-06T11:60:00Z",
            "2025-06-06T11:39:60Z",
            "2025-06-06T11:39:22Zjunk",
            "+025-06-06T11:39:22Z",
            "2025-06-06T11:39:22.739326Z\n",
            "２０２５-06-06T11:39:22Z",
        ] {
            assert_eq!(parse_utc_millis(bad), None, "{bad}");
        }
    }
}
