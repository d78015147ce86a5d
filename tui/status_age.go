package tui

import (
	"time"

	"github.com/hashdeck/hashdeck/tui/format"
)

// statusAge is an age as the status bar shows it. In the dashboard's first
// minute (minutes false) it counts seconds, so a viewer sees the data is
// live; after it, an age under a minute is "<1m" and older ones are whole
// minutes (then hours, days: format.Age). A price refreshed every 30
// seconds then leaves the status bar still, instead of redrawing it every
// second for as long as the dashboard runs.
func statusAge(age time.Duration, minutes bool) string {
	if minutes && age < time.Minute {
		return "<1m"
	}
	return format.Age(age)
}

// nextStatusAge is how long from now statusAge(age, minutes) keeps its
// text: the time until the next whole second, minute or hour it shows.
func nextStatusAge(age time.Duration, minutes bool) time.Duration {
	switch {
	case age < 0 && minutes:
		return time.Minute - age
	case age < 0:
		return time.Second - age
	case age < time.Minute && minutes:
		return time.Minute - age
	case age < time.Minute:
		return time.Second - age%time.Second
	case age < 48*time.Hour:
		return time.Minute - age%time.Minute
	}
	return time.Hour - age%time.Hour
}
