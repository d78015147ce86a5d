package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// The BTC/USD price averaged over several exchanges (docs/upstreams.md#exchanges).

// exchangeAgreePct is how far, in percent of the median, an exchange's
// price may lie from the median of all answers and still agree.
const exchangeAgreePct = 2.0

// exchangeAverageName is the average's provider name.
const exchangeAverageName = "exchanges"

type exchangeAverage struct {
	parts []market.Provider
	now   func() time.Time // the clock for Retry-After bookkeeping (tests replace it)

	mu    sync.Mutex
	waits map[int]exchangeWait // part index → the wait it asked for
}

// exchangeWait is a part's request to be left alone until a time.
type exchangeWait struct {
	until time.Time
	err   error // the failure that asked for it
}

// NewExchangeAverage returns the provider "exchanges": the BTC/USD price
// averaged over parts (typically NewCoinbase, NewKraken and NewCoinGecko),
// each of which must emit a PriceUSD observation. Each poll fetches every
// part concurrently under the caller's ctx; a part that has not answered when
// ctx ends counts as failed and is not waited for.
//
// Agreement rule: take the median of the prices that arrived. A price more
// than 2% (of the median) away from it disagrees. When the agreeing prices
// are a strict majority of the answers, the others are outliers: left out of
// the average and listed in Rejected with their source and deviation (a
// stale quote 5% off is dropped). When they are not (two answers more than
// about 4% apart, or three spread evenly), there is no majority to trust:
// every answer is kept and PriceSpreadPct shows the disagreement.
//
// It emits, all dated by the newest time among the agreeing parts and with
// Source naming them in the order of parts ("coinbase+kraken+coingecko"):
//   - PriceUSD: the mean of the agreeing prices, USD per BTC;
//   - PriceSources: how many prices were averaged;
//   - PriceSpreadPct: (max − min) / mean × 100 over them, percent.
//
// The parts' own rejections are carried over (What prefixed with the part's
// name), and each part that failed is listed in Rejected too. Only when no
// part gave a price does Fetch return an error: the parts' errors joined, so
// errors.Is and errors.As reach each of them; errors.As for an *HTTPError or
// a *ThrottleError finds the one with the shortest Retry-After, so
// RetryAfter(err) is the soonest any exchange may answer again. A part that
// asked to wait (Retry-After) is not asked again until its wait is over,
// even while the others keep the average alive; its last error stands in.
func NewExchangeAverage(parts ...market.Provider) market.Provider {
	return &exchangeAverage{parts: slices.Clone(parts), now: time.Now, waits: map[int]exchangeWait{}}
}

// Name implements Provider.
func (a *exchangeAverage) Name() string { return exchangeAverageName }

// exchangePart is what one part gave in one poll.
type exchangePart struct {
	name  string
	batch market.Batch
	err   error
}

// Fetch implements Provider.
func (a *exchangeAverage) Fetch(ctx context.Context) (market.Batch, error) {
	if len(a.parts) == 0 {
		return market.Batch{}, errors.New("exchanges: no exchange configured")
	}
	type answer struct {
		i     int
		batch market.Batch
		err   error
	}
	results := make([]exchangePart, len(a.parts))
	ch := make(chan answer, len(a.parts)) // buffered: a part that answers late never blocks
	pending := map[int]bool{}
	start := a.now()
	for i, p := range a.parts {
		results[i].name = p.Name()
		if err := a.waiting(i, start); err != nil {
			results[i].err = err
			continue
		}
		pending[i] = true
		go func() {
			b, err := exchangeFetchPart(ctx, p)
			ch <- answer{i, b, err}
		}()
	}
	record := func(r answer) {
		delete(pending, r.i)
		results[r.i].batch, results[r.i].err = r.batch, r.err
		a.noteWait(r.i, r.err)
	}
	for len(pending) > 0 {
		select {
		case r := <-ch:
			record(r)
		case <-ctx.Done():
			for drained := false; !drained; {
				select {
				case r := <-ch:
					record(r)
				default:
					drained = true
				}
			}
			for i := range pending {
				results[i].err = fmt.Errorf("%s: no answer in time: %w", results[i].name, ctx.Err())
			}
			clear(pending)
		}
	}
	return combineExchanges(results)
}

// exchangeFetchPart runs one part, turning a panic into an error so that one
// broken part cannot take the dashboard down from a goroutine.
func exchangeFetchPart(ctx context.Context, p market.Provider) (b market.Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = market.Batch{}, fmt.Errorf("%s: panic: %v", p.Name(), r)
		}
	}()
	return p.Fetch(ctx)
}

// waiting returns, for a part still inside the wait it asked for, an error
// standing in for it (its last failure, with the wait that remains), and nil
// when the part may be asked.
func (a *exchangeAverage) waiting(i int, now time.Time) error {
	a.mu.Lock()
	w, ok := a.waits[i]
	a.mu.Unlock()
	if !ok || !now.Before(w.until) {
		return nil
	}
	left := w.until.Sub(now)
	msg := fmt.Sprintf("not asked: it asked to wait, %s left", left.Round(time.Second))
	var he *HTTPError
	if errors.As(w.err, &he) {
		c := *he
		c.RetryAfter = left
		return fmt.Errorf("%s: %w", msg, &c)
	}
	var te *ThrottleError
	if errors.As(w.err, &te) {
		c := *te
		c.RetryAfter = left
		return fmt.Errorf("%s: %w", msg, &c)
	}
	return fmt.Errorf("%s: %w", msg, w.err)
}

// noteWait records the wait a part's answer asked for, or forgets it.
func (a *exchangeAverage) noteWait(i int, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if d, ok := RetryAfter(err); ok {
		a.waits[i] = exchangeWait{until: a.now().Add(d), err: err}
		return
	}
	delete(a.waits, i)
}

// exchangeAnswer is one part's price.
type exchangeAnswer struct {
	name  string
	price float64 // USD per BTC
	at    time.Time
}

// combineExchanges applies the agreement rule (see NewExchangeAverage) to
// what the parts gave. It is pure and never panics.
func combineExchanges(parts []exchangePart) (market.Batch, error) {
	var out market.Batch
	var answers []exchangeAnswer
	var errs []error
	for _, p := range parts {
		for _, r := range p.batch.Rejected {
			out.Reject(p.name+" "+r.What, r.Reason)
		}
		err := p.err
		if err == nil {
			if o, ok := exchangePrice(p.batch); ok {
				answers = append(answers, exchangeAnswer{name: p.name, price: o.Value, at: o.At})
				continue
			}
			err = errors.New("the answer held no usable BTC/USD price")
		}
		if !strings.Contains(err.Error(), p.name) {
			err = fmt.Errorf("%s: %w", p.name, err)
		}
		errs = append(errs, err)
		if len(p.batch.Rejected) == 0 { // otherwise its rejections explain it
			out.Reject(p.name, err.Error())
		}
	}
	if len(answers) == 0 {
		if len(errs) == 0 {
			errs = append(errs, errors.New("no exchange configured"))
		}
		return out, &exchangeError{errs: errs}
	}

	prices := make([]float64, len(answers))
	for i, a := range answers {
		prices[i] = a.price
	}
	keep, median := exchangeAgreement(prices)

	var (
		names  []string
		sum    float64
		lo, hi = math.Inf(1), math.Inf(-1)
		at     time.Time
		kept   int
	)
	for i, a := range answers {
		if !keep[i] {
			dev := (a.price - median) / median * 100
			side := "above"
			if dev < 0 {
				side = "below"
			}
			out.Reject(a.name+" "+string(market.PriceUSD), fmt.Sprintf(
				"outlier, not averaged: %.2f is %.2f%% %s the median %.2f of %d exchanges (agreement: within %g%%)",
				a.price, math.Abs(dev), side, median, len(answers), exchangeAgreePct))
			continue
		}
		kept++
		names = append(names, a.name)
		sum += a.price
		lo, hi = min(lo, a.price), max(hi, a.price)
		if a.at.After(at) {
			at = a.at
		}
	}
	mean := sum / float64(kept)
	source := strings.Join(names, "+")
	out.Add(market.PriceUSD, mean, at, source)
	out.Add(market.PriceSources, float64(kept), at, source)
	out.Add(market.PriceSpreadPct, (hi-lo)/mean*100, at, source)
	return out, nil
}

// exchangePrice returns the newest plausible PriceUSD observation of a batch.
func exchangePrice(b market.Batch) (market.Observation, bool) {
	var best market.Observation
	found := false
	for _, o := range b.Obs {
		if o.Metric != market.PriceUSD || market.CheckValue(market.PriceUSD, o.Value) != nil {
			continue
		}
		if !found || o.At.After(best.At) {
			best, found = o, true
		}
	}
	return best, found
}

// exchangeAgreement returns which prices to average and the median of all.
// A price agrees when it is within exchangeAgreePct percent of the median;
// the agreeing prices are kept alone when they are a strict majority, and
// every price is kept otherwise (no majority). prices must be positive.
func exchangeAgreement(prices []float64) (keep []bool, median float64) {
	keep = make([]bool, len(prices))
	if len(prices) == 0 {
		return keep, 0
	}
	s := slices.Clone(prices)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	agreeing := 0
	for i, p := range prices {
		keep[i] = math.Abs(p-median) <= median*exchangeAgreePct/100
		if keep[i] {
			agreeing++
		}
	}
	if 2*agreeing <= n {
		for i := range keep {
			keep[i] = true
		}
	}
	return keep, median
}

// exchangeError is the error of an average none of whose parts gave a
// price: the parts' errors joined as errors.Join does (errors.Is and
// errors.As reach each one), printed on one line. errors.As for an
// *HTTPError or a *ThrottleError picks the one with the shortest positive
// Retry-After, so that RetryAfter(err) gives the soonest retry.
type exchangeError struct{ errs []error }

func (e *exchangeError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return "exchanges: no exchange gave a price: " + strings.Join(msgs, "; ")
}

// Unwrap returns the parts' errors.
func (e *exchangeError) Unwrap() []error { return e.errs }

// As finds, among the parts' errors, the *HTTPError or *ThrottleError that
// asks for the shortest wait (or the first one when none asks to wait).
func (e *exchangeError) As(target any) bool {
	switch t := target.(type) {
	case **HTTPError:
		var best *HTTPError
		for _, err := range e.errs {
			var he *HTTPError
			if errors.As(err, &he) && (best == nil || exchangeSooner(he.RetryAfter, best.RetryAfter)) {
				best = he
			}
		}
		if best != nil {
			*t = best
			return true
		}
	case **ThrottleError:
		var best *ThrottleError
		for _, err := range e.errs {
			var te *ThrottleError
			if errors.As(err, &te) && (best == nil || exchangeSooner(te.RetryAfter, best.RetryAfter)) {
				best = te
			}
		}
		if best != nil {
			*t = best
			return true
		}
	}
	return false
}

// exchangeSooner reports whether wait a is a sooner retry than b: any wait
// beats none, and a shorter one a longer one.
func exchangeSooner(a, b time.Duration) bool {
	return a > 0 && (b <= 0 || a < b)
}
