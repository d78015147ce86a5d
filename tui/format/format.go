// Package format turns econ values into the short strings hashdeck shows:
// thousands separators, units, signs, and "—" for a value that is unknown.
// It is shared by the terminal views, snapshots and the calc command.
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// Unknown is what an unknown value looks like on screen.
const Unknown = "—"

// Num formats v with the given number of decimals and comma thousands
// separators: Num(1234567.891, 2) is "1,234,567.89". NaN and ±Inf give Unknown.
func Num(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Unknown
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 1)
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// USD formats a dollar amount: USD(-1234.5, 2) is "-$1,234.50".
func USD(v float64, decimals int) string {
	s := Num(v, decimals)
	if s == Unknown {
		return s
	}
	if strings.HasPrefix(s, "-") {
		return "-$" + s[1:]
	}
	return "$" + s
}

// Signed formats v with an explicit sign: Signed(1.5, 1) is "+1.5".
func Signed(v float64, decimals int) string {
	s := Num(v, decimals)
	if s == Unknown || strings.HasPrefix(s, "-") || strings.Trim(s, "0.,") == "" {
		return s
	}
	return "+" + s
}

// SI formats v with a metric prefix (k, M, G, T, P, E) and the given
// decimals: SI(148.26e12, 2) is "148.26 T".
func SI(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Unknown
	}
	prefixes := []string{"", " k", " M", " G", " T", " P", " E"}
	i := 0
	for math.Abs(v) >= 1000 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	return Num(v, decimals) + prefixes[i]
}

// Maybe formats a known value with f and an unknown one as Unknown.
func Maybe[T econ.Number](m econ.Maybe[T], f func(T) string) string {
	v, ok := m.Get()
	if !ok {
		return Unknown
	}
	return f(v)
}

// Age formats a duration the way a status line says how old something is:
// "4s", "3m", "2h05m", "3d4h". Negative durations count as zero.
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// CompactUSD formats a large dollar amount: $3.2B, $748M, $12.3K, $999
// (one decimal below 100 of the unit, none from 100 up). Market caps use
// it on every view.
func CompactUSD(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Unknown
	}
	units := []struct {
		suffix string
		div    float64
	}{{"T", 1e12}, {"B", 1e9}, {"M", 1e6}, {"K", 1e3}, {"", 1}}
	a := math.Abs(v)
	i := len(units) - 1
	for j, u := range units {
		if a >= u.div {
			i = j
			break
		}
	}
	dec := func(i int) int {
		if units[i].suffix == "" || a/units[i].div >= 99.95 {
			return 0
		}
		return 1
	}
	// Rounding may reach the next unit: $999.96M is $1.0B, not $1,000M.
	if i > 0 && math.Abs(math.Round(a/units[i].div*math.Pow10(dec(i)))/math.Pow10(dec(i))) >= 1000 {
		i--
	}
	return USD(v/units[i].div, dec(i)) + units[i].suffix
}
