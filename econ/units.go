package econ

import (
	"encoding/json"
	"math"
	"strconv"
)

// Amounts and prices.
type (
	// BTC is an amount of bitcoin.
	BTC float64
	// Sats is an amount of bitcoin in satoshis (1 BTC = 1e8 sats).
	Sats int64
	// USD is an amount of US dollars.
	USD float64
	// USDPerBTC is a bitcoin price, or a cost per bitcoin produced.
	USDPerBTC float64
	// Percent is a percentage: 5 means 5%.
	Percent float64
	// Days is a duration in days.
	Days float64
)

// Network quantities.
type (
	// Difficulty is the dimensionless Bitcoin difficulty (target_max/target).
	Difficulty float64
	// HashesPerSecond is a hashrate in H/s.
	HashesPerSecond float64
	// EHs is a hashrate in exahashes per second (1e18 H/s).
	EHs float64
	// PHs is a hashrate in petahashes per second (1e15 H/s).
	PHs float64
	// THs is a hashrate in terahashes per second (1e12 H/s).
	THs float64
	// PHDays is realized hashrate integrated over time: PH/s × days. A
	// company that ran 10 EH/s for a 92-day quarter produced 920,000 PH·days.
	PHDays float64
)

// Revenue and cost rates.
type (
	// BTCPerPHDay is hashvalue: bitcoin earned per PH/s per day.
	BTCPerPHDay float64
	// USDPerPHDay is hashprice or hashcost: US dollars per PH/s per day.
	USDPerPHDay float64
	// USDPerTHDay is hashprice or hashcost per TH/s per day (USDPerPHDay/1000).
	USDPerTHDay float64
	// USDPerMWh is revenue or cost per megawatt-hour of electricity.
	USDPerMWh float64
)

// Energy.
type (
	// JoulesPerTH is energy efficiency: joules per terahash, which equals
	// watts per TH/s. 1 J/TH sustained over 1 PH/s draws 1 kW.
	JoulesPerTH float64
	// USDPerKWh is an electricity price.
	USDPerKWh float64
	// Watts is electrical power.
	Watts float64
)

// EHs converts H/s to EH/s.
func (h HashesPerSecond) EHs() EHs { return EHs(h / 1e18) }

// PHs converts EH/s to PH/s.
func (e EHs) PHs() PHs { return PHs(e * 1e3) }

// PerTH converts USD/PH/day to USD/TH/day (÷1000).
func (p USDPerPHDay) PerTH() USDPerTHDay { return USDPerTHDay(p / 1e3) }

// PerPH converts USD/TH/day to USD/PH/day (×1000).
func (p USDPerTHDay) PerPH() USDPerPHDay { return USDPerPHDay(p * 1e3) }

// Sats converts BTC to satoshis, rounding to the nearest satoshi.
func (b BTC) Sats() Sats { return Sats(math.Round(float64(b) * SatsPerBTC)) }

// BTC converts satoshis to BTC.
func (s Sats) BTC() BTC { return BTC(float64(s) / SatsPerBTC) }

// Number is the set of unit types a [Maybe] can hold.
type Number interface {
	~float64 | ~int64 | ~int
}

// Maybe is a value that may be unknown. The zero Maybe is unknown. A NaN or
// infinite float is never known: [Known] turns it into the unknown state, so
// an impossible computation (0/0, x/0) surfaces as "unknown", not as a number.
//
// Maybe marshals to JSON as the number or as null.
type Maybe[T Number] struct {
	v  T
	ok bool
}

// Known returns v as a known value, or the unknown value when v is NaN or ±Inf.
func Known[T Number](v T) Maybe[T] {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Maybe[T]{}
	}
	return Maybe[T]{v: v, ok: true}
}

// Unknown returns the unknown value of T (the same as the zero Maybe).
func Unknown[T Number]() Maybe[T] { return Maybe[T]{} }

// Get returns the value and whether it is known.
func (m Maybe[T]) Get() (T, bool) { return m.v, m.ok }

// OK reports whether the value is known.
func (m Maybe[T]) OK() bool { return m.ok }

// Or returns the value when known and def otherwise.
func (m Maybe[T]) Or(def T) T {
	if m.ok {
		return m.v
	}
	return def
}

// String formats a known value with %g-style precision and an unknown one as "unknown".
func (m Maybe[T]) String() string {
	if !m.ok {
		return "unknown"
	}
	return strconv.FormatFloat(float64(m.v), 'g', -1, 64)
}

// MarshalJSON encodes a known value as a JSON number and an unknown one as null.
func (m Maybe[T]) MarshalJSON() ([]byte, error) {
	if !m.ok {
		return []byte("null"), nil
	}
	return json.Marshal(m.v)
}

// UnmarshalJSON decodes a JSON number, or null as unknown.
func (m *Maybe[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*m = Maybe[T]{}
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = Known(v)
	return nil
}

// Map applies f to a known value; an unknown input gives an unknown result.
func Map[A, R Number](a Maybe[A], f func(A) R) Maybe[R] {
	if !a.ok {
		return Maybe[R]{}
	}
	return Known(f(a.v))
}

// Map2 applies f when both inputs are known; otherwise the result is unknown.
func Map2[A, B, R Number](a Maybe[A], b Maybe[B], f func(A, B) R) Maybe[R] {
	if !a.ok || !b.ok {
		return Maybe[R]{}
	}
	return Known(f(a.v, b.v))
}

// Bind2 applies f, which may itself give an unknown result, when both inputs are known.
func Bind2[A, B, R Number](a Maybe[A], b Maybe[B], f func(A, B) Maybe[R]) Maybe[R] {
	if !a.ok || !b.ok {
		return Maybe[R]{}
	}
	return f(a.v, b.v)
}

// Flag is a yes/no answer that may be unknown. It marshals to JSON as true,
// false or null.
type Flag uint8

const (
	// FlagUnknown: the answer is not known.
	FlagUnknown Flag = iota
	// FlagNo: no.
	FlagNo
	// FlagYes: yes.
	FlagYes
)

// FlagOf returns FlagYes for true and FlagNo for false.
func FlagOf(b bool) Flag {
	if b {
		return FlagYes
	}
	return FlagNo
}

// MarshalJSON encodes the flag as true, false or null.
func (f Flag) MarshalJSON() ([]byte, error) {
	switch f {
	case FlagYes:
		return []byte("true"), nil
	case FlagNo:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}
