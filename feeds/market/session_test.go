package market

import (
	"testing"
	"time"
)

func TestUSHolidays(t *testing.T) {
	// The NYSE's published holidays for 2025–2027 and its closure of
	// 2025-01-09 (a national day of mourning), with the observed days
	// (2026-07-03 for a Saturday July 4th, 2027-06-18 and 2027-12-24 for
	// Saturdays, 2027-07-05 for a Sunday) and 2022's Monday Juneteenth.
	holidays := []string{
		"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
		"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
		"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
		"2022-06-20", "2022-12-26",
	}
	is := map[string]bool{}
	for _, s := range holidays {
		is[s] = true
	}
	// Every weekday of 2025–2027 is a holiday exactly when listed.
	for day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2028; day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if got, want := USHoliday(day), is[day.Format(time.DateOnly)]; got != want {
			t.Errorf("USHoliday(%s %s) = %v, want %v", day.Format(time.DateOnly), day.Weekday(), got, want)
		}
	}
	// New Year's Day on a Saturday takes no Friday: 2021-12-31 traded.
	if USHoliday(time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Error("2021-12-31 (the Friday before a Saturday New Year) is not a holiday")
	}
}

func TestUSSessionHours(t *testing.T) {
	for _, tc := range []struct {
		day         string
		open, close string // UTC; "" = closed
	}{
		{"2026-11-20", "14:30", "21:00"}, // Friday, EST
		{"2026-07-14", "13:30", "20:00"}, // Tuesday, EDT
		{"2026-11-27", "14:30", "18:00"}, // the day after Thanksgiving: 13:00
		{"2026-12-24", "14:30", "18:00"}, // Christmas Eve: 13:00
		{"2025-07-03", "13:30", "17:00"}, // July 3rd: 13:00 EDT
		{"2026-11-26", "", ""},           // Thanksgiving
		{"2026-11-21", "", ""},           // Saturday
	} {
		d, _ := time.Parse(time.DateOnly, tc.day)
		open, close, ok := USSession(d.Date())
		if tc.open == "" {
			if ok {
				t.Errorf("%s: a session %v–%v, want none", tc.day, open, close)
			}
			continue
		}
		if !ok || open.UTC().Format("15:04") != tc.open || close.UTC().Format("15:04") != tc.close || open.UTC().Format(time.DateOnly) != tc.day {
			t.Errorf("%s: session %v–%v (%v), want %s–%s UTC", tc.day, open.UTC(), close.UTC(), ok, tc.open, tc.close)
		}
	}
}

func TestQuoteOutdated(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		quote, now string
		want       bool
		why        string
	}{
		{"2026-11-20T19:04:58Z", "2026-12-04T20:17:00Z", true, "a fortnight old, the market open (the reviewer's IREN)"},
		{"2026-11-20T19:04:58Z", "2026-11-20T19:20:00Z", false, "15 minutes old in the session"},
		{"2026-11-20T19:04:58Z", "2026-11-20T19:40:00Z", true, "35 minutes of trading since"},
		{"2026-11-20T21:00:00Z", "2026-11-22T18:00:00Z", false, "Friday's close on Sunday"},
		{"2026-11-20T21:00:00Z", "2026-11-23T14:50:00Z", false, "Friday's close 20 minutes into Monday (a delayed feed)"},
		{"2026-11-20T21:00:00Z", "2026-11-23T15:01:00Z", true, "Friday's close 31 minutes into Monday"},
		{"2026-11-20T16:00:00Z", "2026-11-21T16:00:00Z", true, "11:00 on Friday, seen on Saturday: five hours of trading followed"},
		{"2026-11-25T21:00:00Z", "2026-11-27T14:00:00Z", false, "Wednesday's close on Thanksgiving and before Friday's open"},
		{"2026-11-27T18:00:00Z", "2026-11-29T12:00:00Z", false, "the 13:00 early close on the weekend after"},
		{"2026-07-02T20:00:00Z", "2026-07-05T20:00:00Z", false, "Thursday's close over the observed July 3rd and the weekend"},
		{"2026-11-20T19:04:58Z", "2026-11-20T19:00:00Z", false, "a quote after now"},
		{"0001-01-01T00:00:00Z", "2026-11-20T19:00:00Z", true, "no time at all"},
	} {
		if got := QuoteOutdated(at(tc.quote), at(tc.now)); got != tc.want {
			t.Errorf("%s at %s: outdated %v, want %v (%s)", tc.quote, tc.now, got, tc.want, tc.why)
		}
	}
}

func TestInUSSession(t *testing.T) {
	for when, want := range map[string]bool{
		"2026-01-12T14:29:00Z": false, // Monday 09:29 EST
		"2026-01-12T14:30:00Z": true,
		"2026-01-12T20:59:00Z": true,
		"2026-01-12T21:00:00Z": false,
		"2026-01-19T15:00:00Z": false, // Martin Luther King Jr. Day
		"2026-11-27T18:30:00Z": false, // after the 13:00 early close
		"2026-01-10T15:00:00Z": false, // Saturday
	} {
		at, _ := time.Parse(time.RFC3339, when)
		if got := InUSSession(at); got != want {
			t.Errorf("%s: in session %v, want %v", when, got, want)
		}
	}
}
