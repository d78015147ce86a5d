package market

import "time"

// The US equity market's calendar: the regular sessions of the NYSE and
// Nasdaq (they share holidays and hours), in New York time, without a
// time-zone database. Every peer hashdeck quotes is a US listing, so this one
// calendar decides how old a quote may be (QuoteOutdated) and when the
// equities group polls at its market-hours rate (feeds.MarketHours).
// It is written here because no exchange-calendar module is among the
// approved ones (env/packages), and the rules fit in a page; its test checks
// every weekday of 2025–2027 against the exchange's published holidays.

// QuoteMargin is how long the regular session may trade after a quote's own
// time before the quote is outdated: it covers a feed's 15–20 minute delay,
// a poll interval and a thin minute without trades, and no more.
const QuoteMargin = 30 * time.Minute

// QuoteOutdated reports whether a quote of a US-listed stock whose own time
// is at is older than the market allows at now: the regular session has
// traded for more than QuoteMargin since at. So Friday's closing quote is
// current all weekend and through a Monday holiday, but not 30 minutes into
// the next session; a quote from 11:00 is outdated that evening (the market
// traded five hours after it), and a fortnight-old one always is. A zero at
// (no time) is outdated; a quote from after now is not (no trading since).
//
// Unscheduled closures (a national day of mourning, a systems outage) are
// not known: they count as trading, so a quote is marked stale too early
// then, never too late.
func QuoteOutdated(at, now time.Time) bool {
	return tradedBetween(at, now, QuoteMargin) > QuoteMargin
}

// InUSSession reports whether t falls in a regular session (open ≤ t < close).
func InUSSession(t time.Time) bool {
	y, m, d := newYorkDate(t)
	open, close, ok := USSession(y, m, d)
	return ok && !t.Before(open) && t.Before(close)
}

// USSession returns the regular session on the New York date y-m-d: 09:30 to
// 16:00 New York time (13:00 on the early-close days), and false on a
// weekend or an exchange holiday (USHoliday).
func USSession(y int, m time.Month, d int) (open, close time.Time, ok bool) {
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || USHoliday(day) {
		return time.Time{}, time.Time{}, false
	}
	closeHour := 16
	if usEarlyClose(day) {
		closeHour = 13
	}
	return NewYorkWall(day.Add(9*time.Hour + 30*time.Minute)), NewYorkWall(day.Add(time.Duration(closeHour) * time.Hour)), true
}

// USHoliday reports whether the date of day (its location ignored) is a
// weekday on which the NYSE is closed by its published rules: New Year's Day,
// Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial
// Day, Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving and
// Christmas. A holiday on a Sunday is observed the Monday after, one on a
// Saturday the Friday before, except New Year's Day (the Friday before is
// the year's last trading day, so no day is taken). The special closures
// (usSpecialClosures) count too.
func USHoliday(day time.Time) bool {
	y, m, d := day.Date()
	day = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	fixed := func(hm time.Month, hd int, saturdayToFriday bool) bool {
		h := time.Date(y, hm, hd, 0, 0, 0, 0, time.UTC)
		switch h.Weekday() {
		case time.Sunday:
			h = h.AddDate(0, 0, 1)
		case time.Saturday:
			if !saturdayToFriday {
				return false
			}
			h = h.AddDate(0, 0, -1)
		}
		return h.Equal(day)
	}
	if usSpecialClosures[day.Format(time.DateOnly)] {
		return true
	}
	switch {
	case fixed(time.January, 1, false),
		fixed(time.July, 4, true),
		fixed(time.December, 25, true),
		y >= 2022 && fixed(time.June, 19, true):
		return true
	}
	easter := easterSunday(y)
	switch {
	case day.Equal(nthWeekday(y, time.January, time.Monday, 3)), // Martin Luther King Jr. Day
		day.Equal(nthWeekday(y, time.February, time.Monday, 3)),               // Washington's Birthday
		day.Equal(easter.AddDate(0, 0, -2)),                                   // Good Friday
		day.Equal(nthWeekday(y, time.June, time.Monday, 1).AddDate(0, 0, -7)), // Memorial Day: the last Monday of May
		day.Equal(nthWeekday(y, time.September, time.Monday, 1)),              // Labor Day
		day.Equal(nthWeekday(y, time.November, time.Thursday, 4)):             // Thanksgiving
		return true
	}
	return false
}

// usSpecialClosures are the days the exchange closed outside its rules,
// announced in advance: national days of mourning for former presidents
// (George H. W. Bush 2018-12-05, Jimmy Carter 2025-01-09, found in review).
var usSpecialClosures = map[string]bool{"2018-12-05": true, "2025-01-09": true}

// usEarlyClose reports whether the session of day (a weekday that is not a
// holiday) closes at 13:00: July 3, the day after Thanksgiving and
// December 24.
func usEarlyClose(day time.Time) bool {
	y, m, d := day.Date()
	switch {
	case m == time.July && d == 3, m == time.December && d == 24:
		return true
	}
	return day.Equal(nthWeekday(y, time.November, time.Thursday, 4).AddDate(0, 0, 1))
}

// tradedBetween returns how long the regular session was open between from
// and to, counting no further once it exceeds limit (so a years-old from
// costs a single session's step, not a walk over the years).
func tradedBetween(from, to time.Time, limit time.Duration) time.Duration {
	if !from.Before(to) {
		return 0
	}
	var total time.Duration
	y, m, d := newYorkDate(from)
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for {
		open, close, ok := USSession(day.Date())
		if ok {
			if open.After(to) || open.Equal(to) {
				return total
			}
			start, end := maxTime(open, from), minTime(close, to)
			if end.After(start) {
				total += end.Sub(start)
				if total > limit {
					return total
				}
			}
		} else if day.After(to) {
			return total
		}
		day = day.AddDate(0, 0, 1)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// newYorkDate returns the New York calendar date of the instant t.
func newYorkDate(t time.Time) (int, time.Month, int) {
	return t.UTC().Add(time.Duration(NewYorkOffset(t)) * time.Second).Date()
}

// NewYorkOffset returns New York's UTC offset in seconds at instant t, by
// the US rule in force since 2007: daylight time (−4 h) from the second
// Sunday of March at 02:00 local to the first Sunday of November at 02:00
// local, standard time (−5 h) otherwise. It needs no time-zone database.
func NewYorkOffset(t time.Time) int {
	const est, edt = -5 * 3600, -4 * 3600
	t = t.UTC()
	y := t.Year()
	start := nthWeekday(y, time.March, time.Sunday, 2).Add(2*time.Hour - est*time.Second)  // 07:00 UTC
	end := nthWeekday(y, time.November, time.Sunday, 1).Add(2*time.Hour - edt*time.Second) // 06:00 UTC
	if !t.Before(start) && t.Before(end) {
		return edt
	}
	return est
}

// NewYorkWall converts a New York wall-clock time (given as the fields of
// wall, whose location is ignored) to the instant it names.
func NewYorkWall(wall time.Time) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	t := naive.Add(5 * time.Hour) // assume standard time
	if off := NewYorkOffset(t); off != -5*3600 {
		t = naive.Add(-time.Duration(off) * time.Second)
	}
	return t
}

// nthWeekday returns midnight (as a UTC time) of the n-th wd of month.
func nthWeekday(year int, month time.Month, wd time.Weekday, n int) time.Time {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	d := (7 + int(wd) - int(first.Weekday())) % 7
	return first.AddDate(0, 0, d+7*(n-1))
}

// easterSunday returns Easter Sunday of year in the Gregorian calendar (the
// anonymous Gregorian computus), as midnight UTC.
func easterSunday(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
