package format

import (
	"math"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

func TestNum(t *testing.T) {
	tests := []struct {
		v    float64
		d    int
		want string
	}{
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{1234567.891, 2, "1,234,567.89"},
		{-1234567.891, 1, "-1,234,567.9"},
		{-0.001, 2, "0.00"}, // no "-0.00"
		{100000, 0, "100,000"},
		{0.00042636, 8, "0.00042636"},
		{math.NaN(), 2, Unknown},
		{math.Inf(1), 2, Unknown},
	}
	for _, tt := range tests {
		if got := Num(tt.v, tt.d); got != tt.want {
			t.Errorf("Num(%v, %d) = %q, want %q", tt.v, tt.d, got, tt.want)
		}
	}
}

func TestUSDSignedSI(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{USD(91132, 0), "$91,132"},
		{USD(-1234.5, 2), "-$1,234.50"},
		{USD(math.NaN(), 2), Unknown},
		{Signed(1.5, 1), "+1.5"},
		{Signed(-1.96, 2), "-1.96"},
		{Signed(0, 2), "0.00"},
		{SI(148.26e12, 2), "148.26 T"},
		{SI(999, 0), "999"},
		{SI(1.5e21, 1), "1,500.0 E"},
		{Maybe(econ.Known[econ.USDPerPHDay](38.85), func(v econ.USDPerPHDay) string { return USD(float64(v), 2) }), "$38.85"},
		{Maybe(econ.Maybe[econ.USDPerPHDay]{}, func(v econ.USDPerPHDay) string { return USD(float64(v), 2) }), Unknown},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 4 * time.Second: "4s", 3*time.Minute + 59*time.Second: "3m",
		2*time.Hour + 5*time.Minute: "2h05m", 50 * time.Hour: "2d2h",
	} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}
