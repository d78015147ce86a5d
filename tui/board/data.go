// Package tui is hashdeck's terminal dashboard: a bubbletea program whose
// every frame is drawn by the pure Render from a Data value. Data is built
// from the feeds state, the embedded dataset and the UI's scenario in
// Update — never in View — so drawing does no work but layout.
package board

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/format"
)

// Env is what every viewer of one process shares and nobody modifies: the
// embedded dataset, the peers and their fundamentals (with the user's
// overrides applied), "my fleet" and the alert thresholds.
type Env struct {
	Dataset *dataset.Dataset
	// Peers are the current tickers in display order.
	Peers []string
	// Miners holds each peer's econ inputs; Fundamentals its sourced facts.
	Miners       map[string]econ.Miner
	Fundamentals map[string]dataset.Fundamentals
	Fleet        Fleet
	Alerts       Alerts
	// Offline is set when no live data will come (--offline).
	Offline bool

	// The embedded series, computed once: every frame shares them.
	hashprice, btc, difficulty, netHashrate Series
	closes                                  map[string][]Point
	corr30                                  map[string]*lazyCorr
	corr90                                  map[string]econ.Maybe[float64]
	asOf                                    time.Time // zero: the newest data
	// periods are the network's mean hashvalue and hashprice per quarter
	// and benchmarks the published sector costs, for the sector rule.
	periods    []econ.PeriodMeans
	benchmarks []econ.Benchmark
	// steps are the sector medians from the first embedded hashprice day
	// to the board's day, point in time (econ.MedianSteps).
	steps *stepCache

	// shared caches the last scenario-free Data, so the sessions of one
	// process that show the same state share one board (see Shared).
	shared *sharedData
}

// sharedData is a one-entry cache of the scenario-free Data for a state.
type sharedData struct {
	mu   sync.Mutex
	env  *Env
	hist *History
	st   *market.State
	d    *Data
}

// Shared returns the scenario-free Data for the state and history, built
// once and shared by every caller with the same Env, state and history
// (each SSH session of a process, for instance). The result must not be
// modified: copy the struct to change a field such as Now.
func (e *Env) Shared(hist *History, st *market.State, now time.Time) *Data {
	if e.shared == nil {
		return BuildWith(e, hist, st, now, econ.Scenario{})
	}
	c := e.shared
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.d != nil && c.env == e && c.hist == hist && c.st == st {
		return c.d
	}
	d := BuildWith(e, hist, st, now, econ.Scenario{})
	c.env, c.hist, c.st, c.d = e, hist, st, d
	return d
}

// DropShared forgets the board Shared keeps (the next call builds it
// again): serve calls it when its last viewer has gone, so that nothing
// the sessions asked for stays in memory while nobody looks.
func (e *Env) DropShared() {
	if c := e.shared; c != nil {
		c.mu.Lock()
		c.env, c.hist, c.st, c.d = nil, nil, nil, nil
		c.mu.Unlock()
	}
}

// Fleet is the user's own fleet for the scenario view.
type Fleet struct {
	Efficiency econ.JoulesPerTH
	PowerPrice econ.USDPerKWh
	PoolFee    econ.Percent
}

// Alerts are the thresholds that raise a banner; unknown means off.
type Alerts struct {
	HashpriceBelow econ.Maybe[econ.USDPerPHDay]
	MarginBelowPct econ.Maybe[econ.Percent]
	PeerMovePct    econ.Maybe[econ.Percent]
	Bell           bool
}

// NewEnv builds the shared environment from the dataset for the given
// peers (current tickers), with the default fleet and no alerts. Callers
// adjust the exported fields (overrides, fleet, alerts) before sharing it.
func NewEnv(ds *dataset.Dataset, peers []string) *Env { return NewEnvAt(ds, peers, time.Time{}) }

// NewEnvAt is NewEnv as of time at (offline, for reproducible snapshots):
// the network snapshot is the last embedded day on or before at, and every
// series ends there. The zero time means the newest data.
func NewEnvAt(ds *dataset.Dataset, peers []string, at time.Time) *Env {
	e := &Env{
		shared:       &sharedData{},
		Dataset:      ds,
		Peers:        slices.Clone(peers),
		Miners:       make(map[string]econ.Miner, len(peers)),
		Fundamentals: make(map[string]dataset.Fundamentals, len(peers)),
		Fleet:        Fleet{Efficiency: 17.5, PowerPrice: 0.05},
	}
	e.asOf = at
	e.hashprice = hashpriceSeries(ds).until(at)
	e.btc = btcSeries(ds).until(at)
	diff, hr := networkSeries(ds)
	e.difficulty, e.netHashrate = diff.until(at), hr.until(at)
	e.closes = make(map[string][]Point, len(peers))
	e.corr30 = make(map[string]*lazyCorr, len(peers))
	e.corr90 = make(map[string]econ.Maybe[float64], len(peers))
	e.periods, e.benchmarks = ds.QuarterMeans(), ds.Benchmarks()
	for _, p := range peers {
		f := ds.FundamentalsAsOf(p, at)
		e.Fundamentals[p] = f
		m := f.EconMiner()
		m.Ticker = p
		m.Quarters = ds.Quarters(p)
		e.Miners[p] = m
		closes := ds.Closes(p)
		pts := make([]Point, 0, len(closes))
		for _, c := range closes {
			if !at.IsZero() && c.Date.After(at) {
				break
			}
			pts = append(pts, Point{T: c.Date, V: float64(c.Price)})
		}
		e.closes[p] = pts
		e.corr30[p] = newLazyCorr(pts, e.btc.Points)
		e.corr90[p] = Correlation(pts, e.btc.Points, 90, 60)
	}
	e.steps = &stepCache{}
	return e
}

// Layer says where a number on screen comes from.
type Layer uint8

const (
	// LayerNone: no layer has the value; it shows as unknown.
	LayerNone Layer = iota
	// LayerEmbedded: the dataset compiled into the binary.
	LayerEmbedded
	// LayerStored: the history store (backfilled or recorded earlier).
	LayerStored
	// LayerLive: the live feeds (possibly stale: see Stale).
	LayerLive
)

// String names the layer for the status bar.
func (l Layer) String() string {
	return [...]string{"none", "embedded", "stored", "live"}[min(int(l), 3)]
}

// Sourced is a number with where and when it comes from.
type Sourced struct {
	V      float64
	OK     bool
	At     time.Time
	Source string
	Layer  Layer
	Stale  bool
}

// Point is one dated value of a series.
type Point struct {
	T time.Time
	V float64
}

// Series is a named, dated series with its unit, oldest first.
type Series struct {
	Name, Unit string
	Points     []Point
}

// PeerRow is one listed miner's line, ready to draw.
type PeerRow struct {
	Ticker string
	// Price is the latest share price (USD) with its source; DayPct the
	// change from the previous close (unknown when the live quote is
	// outdated: market.QuoteOutdated), MonthPct and YearPct over a calendar
	// month and year ([PeriodReturn]), against the closes MonthBase and
	// YearBase (unknown without a close near the period's start).
	Price                     Sourced
	DayPct, MonthPct, YearPct econ.Maybe[econ.Percent]
	MonthBase, YearBase       Point
	// MarketCap is price × shares outstanding, in USD.
	MarketCap econ.Maybe[econ.USD]
	// Miner is the board's row: hashrate, efficiency, costs, margin.
	Miner econ.MinerRow
	// AIMW is the contracted AI/HPC capacity stated as plain numbers (MW),
	// AICounterparty the counterparties named, AIContracts how many deals.
	AIMW           econ.Maybe[float64]
	AICounterparty string
	AIContracts    int
	// Corr90 is the correlation of daily returns with BTC over the last 90
	// days of closes (unknown with fewer than 60 common days).
	Corr90 econ.Maybe[float64]
	// corr30 is the rolling correlation of daily returns with BTC over 30
	// returns, at every close that has enough of them: see Corr30.
	corr30 *lazyCorr
	// Closes are the daily closes, oldest first (embedded, then live).
	Closes []Point
	// Fundamentals are the peer's sourced facts (source URL, as-of,
	// quality), costs and AI/HPC contracts.
	Fundamentals dataset.Fundamentals
}

// Mode is the data mode the status bar shows.
type Mode uint8

const (
	// ModeOffline: only the embedded dataset (--offline or no feeds).
	ModeOffline Mode = iota
	// ModeLive: the feeds are answering.
	ModeLive
	// ModeStale: the feeds run but some values are stale.
	ModeStale
	// ModeDown: the feeds run but no source answers; they keep retrying on
	// their backoff schedule and the embedded data stands in.
	ModeDown
)

// String returns the mode label.
func (m Mode) String() string {
	return [...]string{"OFFLINE", "LIVE", "STALE", "NO FEED"}[min(int(m), 3)]
}

// Data is everything one frame shows. It is built by [Build] and only read
// by Render.
type Data struct {
	Now  time.Time
	Mode Mode
	// AsOf describes the embedded data's dates when they are on screen.
	AsOf        string
	Attribution string
	// Network values with their layer: price (USD), difficulty, height,
	// fees per block (BTC), mean block time (s), price sources count and spread (%).
	Price, Difficulty, Height, Fees, BlockTime Sourced
	PriceSources, PriceSpread                  Sourced
	// Published is Hashrate Index's hashprice (USD/PH/day) when a key is set.
	Published Sourced
	// AdjustmentSource names where the next-difficulty change on the
	// board comes from: the live upstream's own figure when it sends one,
	// else hashdeck's from the epoch's blocks so far ("" with no estimate).
	// RetargetDateSource names where its date comes from: the live
	// upstream's own estimate when it sends a plausible one, else
	// hashdeck's (the remaining blocks at the epoch's mean interval).
	AdjustmentSource, RetargetDateSource string
	// MedianSteps are the sector rule's medians per scope over the
	// hashprice history, each from the day a board would have shown it,
	// up to StepsTo, the day this board's own rule is dated: a chart draws
	// no median after it (the rule was not evaluated there).
	MedianSteps []econ.MedianStep
	StepsTo     econ.Date
	// Computed carries the freshness of everything computed from the
	// network inputs (hashvalue, hashprice, fee share, network hashrate,
	// margins): the oldest input's time, the least live layer, stale when
	// any input is. Its V and Source are unused.
	Computed Sourced
	// Inputs and Miners are what the boards were computed from (before the
	// scenario), for econ functions such as MarginGrid.
	Inputs econ.NetworkInputs
	Miners []econ.Miner
	// Board is the econ board under the scenario; Base without it.
	Board, Base econ.Board
	Scenario    econ.Scenario
	// Hashprice is the daily hashprice history (USD/PH/day); Change24h and
	// Change7d compare the current hashprice with it.
	Hashprice           Series
	Change24h, Change7d econ.Maybe[econ.Percent]
	// RecordLow is the lowest hashprice known up to the data's date, with
	// its date: a published record or day level, or the daily series'
	// (recordLow).
	RecordLow dataset.ReferencePoint
	HasRecord bool
	// References are published sector figures for reference lines.
	References []dataset.ReferencePoint
	// BTC is the daily BTC/USD close history.
	BTC Series
	// DifficultyHist is the difficulty at every retarget (one point per
	// epoch start); NetHashrate the daily network hashrate (EH/s).
	DifficultyHist, NetHashrate Series
	// Fleet is "my fleet" from the configuration.
	Fleet Fleet
	// Peers are the configured miners in display order.
	Peers []PeerRow
	// Health is every provider's record (empty offline).
	Health []market.Health
	// Alerts are the alert messages currently raised.
	Alerts []string
	// StateVersion is the feeds state version this frame was built from.
	StateVersion uint64
	// HistoryError is why the history store is not being written ("" while
	// it is): disk full, read-only, locked.
	HistoryError string
	// Backfill is the history backfill's progress (nil when none runs).
	Backfill *feeds.BackfillProgress
}

// Build computes a frame's data from the shared environment, the newest
// feeds state (nil when there is none yet or offline), the time and the
// scenario. It is pure: the same inputs give the same Data.
func Build(env *Env, st *market.State, now time.Time, sc econ.Scenario) *Data {
	return BuildWith(env, nil, st, now, sc)
}

// BuildWith is Build with the history store's series (hist may be nil):
// the embedded data first, then the store, then the live state.
func BuildWith(env *Env, hist *History, st *market.State, now time.Time, sc econ.Scenario) *Data {
	d := &Data{Now: now, Scenario: sc, Attribution: env.Dataset.Attribution()}
	ds := env.Dataset
	snap, haveSnap := ds.Latest()
	if !env.asOf.IsZero() {
		snap, haveSnap = ds.SnapshotAt(env.asOf)
	}

	// Start from the embedded snapshot, then let every live value win.
	var in econ.NetworkInputs
	if haveSnap {
		in = snap.NetworkInputs()
		at := snap.AsOf
		// A board dated after the embedded data end (--at past them, or
		// offline long after the build) shows the last embedded day: stale,
		// and so is everything computed from it.
		stale := EmbeddedStale(at, now)
		emb := func(v float64, ok bool) Sourced {
			return Sourced{V: v, OK: ok, At: at, Source: "Coin Metrics", Layer: LayerEmbedded, Stale: stale}
		}
		d.Price = emb(float64(snap.Day.Price), true)
		d.Difficulty = emb(float64(snap.Difficulty), snap.Difficulty > 0)
		h, ok := snap.Height.Get()
		d.Height = emb(float64(h), ok)
		d.Fees = emb(float64(snap.FeesPerBlock), true)
		d.BlockTime = emb(snap.MeanBlockTime.Seconds(), snap.MeanBlockTime > 0)
	}
	in.Now = now
	live := 0
	if st != nil {
		d.StateVersion = st.Version
		d.Health = st.Health
		take := func(dst *Sourced, m market.Metric) bool {
			v, ok := st.Value(m)
			if !ok {
				return false
			}
			*dst = Sourced{V: v.V, OK: true, At: v.At, Source: v.Source, Layer: LayerLive, Stale: v.Stale}
			live++
			return true
		}
		if take(&d.Price, market.PriceUSD) {
			in.Price = econ.Known(econ.USDPerBTC(d.Price.V))
		}
		if take(&d.Difficulty, market.Difficulty) {
			in.Difficulty = econ.Known(econ.Difficulty(d.Difficulty.V))
		}
		if take(&d.Height, market.Height) {
			in.Height = econ.Known(int64(d.Height.V))
		}
		if take(&d.Fees, market.FeesPerBlock) {
			in.FeesPerBlock = econ.Known(econ.BTC(d.Fees.V))
		}
		if take(&d.BlockTime, market.MeanBlockTime) {
			in.MeanBlockTime = time.Duration(d.BlockTime.V * float64(time.Second))
		}
		take(&d.PriceSources, market.PriceSources)
		take(&d.PriceSpread, market.PriceSpreadPct)
		take(&d.Published, market.HashpriceUSD)
		if v, ok := st.Value(market.EpochStart); ok && d.Height.Layer == LayerLive {
			in.EpochStart = time.Unix(int64(v.V), 0).UTC()
		}
	}
	if d.Height.Layer != LayerLive {
		// The embedded snapshot is a day's close: estimate the retarget from
		// its own day's end and its epoch's first block (snap.NetworkInputs
		// sets both when the block's time is known).
		in.Now, in.EpochStart = snap.AsOf.Add(24*time.Hour), epochStart(ds, snap.Epoch)
		if st != nil && !env.Offline && env.asOf.IsZero() {
			// Live but without a live height: the costs are still judged
			// as of today, not as of the embedded day.
			in.AsOf = now
		}
	}
	d.Computed = ComputedFrom(d.Price, d.Difficulty, d.Height, d.Fees)
	d.Mode = ModeOffline
	if st != nil && !env.Offline {
		d.Mode = ModeLive
		switch {
		case st.AllDown():
			d.Mode = ModeDown
		case live == 0 || anyStale(d):
			d.Mode = ModeStale
		}
	}
	if haveSnap && (d.Mode == ModeOffline || d.Price.Layer == LayerEmbedded || d.Difficulty.Layer == LayerEmbedded) {
		stocks := ds.AsOf().Stocks
		if !env.asOf.IsZero() && env.asOf.Before(stocks) {
			stocks = lastCloseDay(env)
		}
		d.AsOf = "network " + snap.AsOf.Format(time.DateOnly) + " · stocks " + stocks.Format(time.DateOnly)
	}

	miners := make([]econ.Miner, len(env.Peers))
	for i, p := range env.Peers {
		miners[i] = env.Miners[p]
		if q, ok := hist.filedQuarters(p); ok {
			miners[i].Quarters = q
		}
	}
	in.Periods, in.Benchmarks = env.periods, env.benchmarks
	d.Inputs, d.Miners = in, miners
	d.Fleet = env.Fleet
	d.Base = econ.ComputeBoard(in, miners, econ.Scenario{})
	d.Board = d.Base
	if !sc.IsZero() {
		d.Board = econ.ComputeBoard(in, miners, sc)
	}
	d.AdjustmentSource, d.RetargetDateSource = oneEstimate(&d.Base.Network, st, d.Height.Layer == LayerLive, now)
	if sc.IsZero() {
		d.Board.Network.Adjustment = d.Base.Network.Adjustment // Board is a copy made before
	} else {
		oneEstimate(&d.Board.Network, st, d.Height.Layer == LayerLive, now)
	}

	d.Hashprice, d.BTC = env.hashprice, env.btc
	if hist != nil {
		d.Hashprice, d.BTC = hist.hashprice, hist.btc
	}
	d.DifficultyHist, d.NetHashrate = env.difficulty, env.netHashrate
	d.References = ds.ReferencePoints()
	if !env.asOf.IsZero() {
		// As of a date, only what had been published by then.
		d.References = slices.DeleteFunc(slices.Clone(d.References), func(r dataset.ReferencePoint) bool {
			return r.Published.IsZero() || r.Published.Time().After(env.asOf)
		})
	}
	until := now
	if c := d.Computed; c.OK && c.At.Before(until) {
		until = c.At // the data on screen are of this date, not of now
	}
	d.RecordLow, d.HasRecord = recordLow(d.References, d.Hashprice, d.Base.Network.Hashprice, until)
	if hp, ok := d.Base.Network.Hashprice.Get(); ok {
		d.Change24h = changeSince(d.Hashprice, float64(hp), now, 24*time.Hour)
		d.Change7d = changeSince(d.Hashprice, float64(hp), now, 7*24*time.Hour)
	}
	// The steps run to the day the board's own rule is dated (live,
	// today; offline, the embedded network's day): the step in force on
	// that day is the board's headline.
	ruleDay := econ.BoardDate(cmp.Or(in.AsOf, in.Now))
	d.StepsTo = ruleDay
	if hist != nil && hist.steps != nil {
		d.MedianSteps = hist.steps.upTo(env, hist.quarters, ruleDay)
	} else if env.steps != nil {
		d.MedianSteps = env.steps.upTo(env, nil, ruleDay)
	}
	if hist != nil && len(hist.filedHealth) > 0 {
		d.Health = append(slices.Clip(d.Health), hist.filedHealth...)
	}
	d.Peers = peerRows(env, hist, st, d.Board, d.BTC, now)
	d.Alerts = alerts(env, d)
	return d
}

// epochStart is when epoch e's first block was mined: its header time when
// the dataset has it, else estimated from the day's data (the derived epochs
// have only a date): the end of the retarget day less the blocks mined after
// the retarget that day at the day's mean interval. Zero when neither is known.
func epochStart(ds *dataset.Dataset, e dataset.Epoch) time.Time {
	if !e.BlockTime.IsZero() || e.Date.IsZero() {
		return e.BlockTime
	}
	day, ok := ds.Day(e.Date)
	h, hok := day.Height.Get()
	if !ok || !hok || day.Blocks <= 0 || h < e.Height {
		return time.Time{}
	}
	after := h - e.Height + 1 // the retarget block and those after it that day
	interval := 24 * time.Hour / time.Duration(day.Blocks)
	return e.Date.Add(24 * time.Hour).Add(-time.Duration(after) * interval)
}

// The labels of hashdeck's own estimates (Data.AdjustmentSource and
// Data.RetargetDateSource).
const (
	OwnChangeSource = "hashdeck: mean block time of the epoch so far"
	OwnDateSource   = "hashdeck: remaining blocks at the epoch's mean interval"
)

// oneEstimate makes the network view carry one next-difficulty estimate and
// returns the sources of its change and of its date. Each is the live
// upstream's (mempool.space sends both) when it is fresh, the height is
// live and, for the date, it is possible for the blocks remaining at now
// (econ.CheckRetargetDate); else the one econ made from the epoch's blocks
// so far, labelled as hashdeck's.
func oneEstimate(n *econ.NetworkView, st *market.State, liveHeight bool, now time.Time) (change, date string) {
	a := n.Adjustment
	if a == nil {
		return "", ""
	}
	est := *a
	if est.ChangePct.OK() {
		change = OwnChangeSource
	}
	if !est.ETA.IsZero() { // hashdeck's own date, labelled even without its own change (found in review)
		date = OwnDateSource
	}
	if st != nil && liveHeight {
		if v, ok := st.Value(market.AdjustmentPct); ok && !v.Stale {
			est.ChangePct = econ.Known(econ.ClampRetarget(econ.Percent(v.V)))
			est.NextDifficulty = econ.Map(n.Difficulty, func(d econ.Difficulty) econ.Difficulty { return d * econ.Difficulty(1+v.V/100) })
			change = v.Source
		}
		if v, ok := st.Value(market.RetargetDate); ok && !v.Stale {
			eta := time.Unix(0, int64(v.V*1e9)).UTC()
			if h, ok := n.Height.Get(); ok && econ.CheckRetargetDate(h, eta, now) == nil {
				est.ETA = eta
				date = v.Source
			}
		}
	}
	n.Adjustment = &est
	return change, date
}

// ComputedFrom is the freshness of a value computed from inputs: as old as
// the oldest, from the least live layer, stale when any is, unknown when any
// is unknown.
func ComputedFrom(inputs ...Sourced) Sourced {
	out := Sourced{OK: true, Layer: LayerLive}
	for _, in := range inputs {
		if !in.OK {
			return Sourced{}
		}
		if out.At.IsZero() || in.At.Before(out.At) {
			out.At = in.At
		}
		out.Layer = min(out.Layer, in.Layer)
		out.Stale = out.Stale || in.Stale
	}
	return out
}

// EmbeddedStaleAfter is how many whole days an embedded daily value may
// lag the board's day and still be current: the embedded network data are
// daily, so a board on day D uses day D or, before D's data exist, D−1.
const EmbeddedStaleAfter = 1

// EmbeddedStale reports whether an embedded daily value of day day is
// stale on a board at now: more than EmbeddedStaleAfter whole UTC days
// before now's day.
func EmbeddedStale(day, now time.Time) bool {
	return Day(now).Sub(Day(day)) > EmbeddedStaleAfter*24*time.Hour
}

func anyStale(d *Data) bool {
	for _, s := range []Sourced{d.Price, d.Difficulty, d.Height, d.Fees} {
		if s.Layer == LayerLive && s.Stale {
			return true
		}
	}
	return false
}

// until returns the series cut after t (the whole series for the zero time).
func (s Series) until(t time.Time) Series {
	s.Points = Until(s.Points, t)
	return s
}

// lastCloseDay is the newest close of any peer in env.
func lastCloseDay(env *Env) time.Time {
	var last time.Time
	for _, pts := range env.closes {
		if n := len(pts); n > 0 && pts[n-1].T.After(last) {
			last = pts[n-1].T
		}
	}
	return last
}

// hashpriceSeries is the embedded daily hashprice (Coin Metrics).
func hashpriceSeries(ds *dataset.Dataset) Series {
	days := ds.Days()
	s := Series{Name: "hashprice", Unit: "USD/PH/day", Points: make([]Point, 0, len(days))}
	for _, day := range days {
		s.Points = append(s.Points, Point{T: day.Date, V: float64(day.Hashprice)})
	}
	return s
}

func btcSeries(ds *dataset.Dataset) Series {
	pts := ds.BTCUSD()
	s := Series{Name: "BTC", Unit: "USD", Points: make([]Point, 0, len(pts))}
	for _, p := range pts {
		s.Points = append(s.Points, Point{T: p.Date, V: float64(p.Price)})
	}
	return s
}

// networkSeries returns the difficulty at every epoch start and the daily
// network hashrate (EH/s) from the dataset.
func networkSeries(ds *dataset.Dataset) (diff, hr Series) {
	eps := ds.Epochs()
	diff = Series{Name: "difficulty", Unit: "", Points: make([]Point, 0, len(eps))}
	for _, e := range eps {
		t := e.BlockTime
		if t.IsZero() {
			t = e.Date
		}
		diff.Points = append(diff.Points, Point{T: t, V: float64(e.Difficulty)})
	}
	days := ds.Days()
	hr = Series{Name: "hashrate", Unit: "EH/s", Points: make([]Point, 0, len(days))}
	for _, day := range days {
		hr.Points = append(hr.Points, Point{T: day.Date, V: float64(day.Hashrate)})
	}
	return diff, hr
}

// recordLow is the lowest hashprice known up to the data's date until:
// the published record lows and day levels (Hashrate Index, via the
// research notes) dated by then, the daily hashprice series up to then,
// and the current value cur itself when it is lower still (then the
// record is today's). A figure
// published for a later date than the data on screen is never compared
// with them.
func recordLow(refs []dataset.ReferencePoint, series Series, cur econ.Maybe[econ.USDPerPHDay], until time.Time) (dataset.ReferencePoint, bool) {
	var best dataset.ReferencePoint
	found := false
	consider := func(r dataset.ReferencePoint) {
		if v, ok := r.USDPerPHDay.Get(); ok && (!found || v < best.USDPerPHDay.Or(0)) {
			best, found = r, true
		}
	}
	for _, r := range refs {
		// A published day's level counts as well as a published record: it
		// is a hashprice seen that day (found in review: as of 2025-06-30,
		// "record low $40.08" of the daily series, while the references
		// listed $39.87 on 2024-09-16). A period's average is not a low.
		low := r.Kind == dataset.RefHashpriceLow || r.Kind == dataset.RefHashprice && r.Period.Days() == 1
		if low && !r.Period.To.IsZero() && !r.Period.To.After(until) {
			consider(r)
		}
	}
	computed := func(t time.Time, v float64) dataset.ReferencePoint {
		label := t.Format(time.DateOnly)
		return dataset.ReferencePoint{Kind: dataset.RefHashpriceLow, Name: "daily hashprice low",
			Period: dataset.Period{Label: label, From: t, To: t}, USDPerPHDay: econ.Known(econ.USDPerPHDay(v)),
			Text: format.USD(v, 2) + " on " + label, Source: "computed by hashdeck from the daily network data", Published: econ.DateOf(t)}
	}
	for _, p := range Until(series.Points, until) {
		if p.V > 0 && (!found || p.V < float64(best.USDPerPHDay.Or(0))) {
			consider(computed(p.T, p.V))
		}
	}
	if v, ok := cur.Get(); ok && v > 0 && (!found || v < best.USDPerPHDay.Or(0)) {
		r := computed(Day(until), float64(v))
		r.Name, r.Source = "record low now", "the current hashprice"
		consider(r)
	}
	return best, found
}

// changeSince is the change of cur against the series' point for the UTC
// day that was current ago before now (the daily point of that day), in
// percent; unknown when the series has no point for that day, so a change
// is never shown against a sample far from the period it names.
func changeSince(s Series, cur float64, now time.Time, ago time.Duration) econ.Maybe[econ.Percent] {
	day := Day(now.Add(-ago))
	i, found := slices.BinarySearchFunc(s.Points, day, func(p Point, t time.Time) int { return Day(p.T).Compare(t) })
	if !found || s.Points[i].V <= 0 {
		return econ.Maybe[econ.Percent]{}
	}
	return econ.Known(econ.Percent((cur/s.Points[i].V - 1) * 100))
}

// closeOutdated reports whether a daily close dated day (its session's
// date) is older than the US market allows at now (market.QuoteOutdated
// from that session's close); a zero now (no board time) never is.
func closeOutdated(day, now time.Time) bool {
	if now.IsZero() {
		return false
	}
	y, m, d := day.UTC().Date()
	_, closeAt, ok := market.USSession(y, m, d)
	if !ok {
		closeAt = day.Add(24 * time.Hour)
	}
	return market.QuoteOutdated(closeAt, now)
}

// peerRows assembles each peer's line as of now.
func peerRows(env *Env, hist *History, st *market.State, b econ.Board, btc Series, now time.Time) []PeerRow {
	rows := make([]PeerRow, len(env.Peers))
	for i, p := range env.Peers {
		r := PeerRow{Ticker: p, Miner: b.Miners[i]}
		// The embedded closes are shared: clip so that appending a live
		// point copies instead of writing into Env.
		r.Closes = slices.Clip(env.closes[p])
		r.corr30, r.Corr90 = env.corr30[p], env.corr90[p]
		source, layer := "Yahoo closes", LayerEmbedded
		if hist != nil {
			r.Closes = slices.Clip(hist.closes[p])
			r.corr30, r.Corr90 = hist.corr30[p], hist.corr90[p]
			if n := len(r.Closes); n > 0 && !r.Closes[n-1].T.Before(env.Dataset.AsOf().Stocks.AddDate(0, 0, 1)) {
				source, layer = "history store", LayerStored
			}
		}
		prev := math.NaN()
		if n := len(r.Closes); n > 0 {
			last := r.Closes[n-1]
			// A close of an older session than the board's last is stale,
			// as an outdated quote is (found in review: in the JSON a
			// 14-day-old quote was stale and a 4-month-old close was not).
			outdated := closeOutdated(last.T, now)
			r.Price = Sourced{V: last.V, OK: true, At: last.T, Source: source, Layer: layer, Stale: outdated}
			if n > 1 && !outdated {
				// A close of an older session than the board's last has no
				// "day" change: as for an outdated quote, never shown (or
				// alerted on) as today's.
				prev = r.Closes[n-2].V
			}
		}
		live := false
		if st != nil {
			if q, ok := st.Quote(p); ok {
				r.Price = Sourced{V: q.Price, OK: true, At: q.At, Source: q.Source, Layer: LayerLive, Stale: q.Stale}
				prev = math.NaN()
				if q.PrevClose > 0 && !q.Outdated {
					// An outdated quote's change is that of an older
					// session: unknown, never shown as today's.
					prev = q.PrevClose
				}
				if day := q.At.UTC().Truncate(24 * time.Hour); len(r.Closes) == 0 || day.After(r.Closes[len(r.Closes)-1].T) {
					r.Closes = append(r.Closes, Point{T: day, V: q.Price})
					live = true
				}
			}
		}
		if r.Price.OK && prev > 0 {
			r.DayPct = econ.Known(econ.Percent((r.Price.V/prev - 1) * 100))
		}
		r.MonthPct, r.MonthBase = PeriodReturn(r.Closes, 1)
		r.YearPct, r.YearBase = PeriodReturn(r.Closes, 12)
		f := env.Fundamentals[p]
		if sh, ok := f.Shares.Value.Get(); ok && r.Price.OK {
			r.MarketCap = econ.Known(econ.USD(float64(sh) * 1e6 * r.Price.V))
		}
		var mw float64
		var names []string
		for _, c := range f.Contracts {
			r.AIContracts++
			if v, ok := c.MW.Get(); ok {
				mw += float64(v)
			}
			if c.Counterparty != "" && !slices.Contains(names, c.Counterparty) {
				names = append(names, c.Counterparty)
			}
		}
		if mw > 0 {
			r.AIMW = econ.Known(mw)
		}
		for j, n := range names {
			if j > 0 {
				r.AICounterparty += ", "
			}
			r.AICounterparty += n
		}
		if live {
			r.Corr90 = Correlation(r.Closes, btc.Points, 90, 60)
			r.corr30 = newLazyCorr(r.Closes, btc.Points)
		}
		r.Fundamentals = f
		rows[i] = r
	}
	return rows
}

// ReturnGap is how far before the start of a period its baseline close may
// lie: a long weekend or a holiday, not a gap in the data.
const ReturnGap = 5 * 24 * time.Hour

// PeriodReturn is the one definition of a period's return used everywhere
// (peers table, miner view, snapshot): the last close's change against the
// last close on or before the period's start (last.T less months), which
// must lie within ReturnGap of that start. Otherwise the return is unknown:
// a live quote is never compared with a close months older than the period.
// It returns the baseline close too, for its date.
func PeriodReturn(closes []Point, months int) (econ.Maybe[econ.Percent], Point) {
	n := len(closes)
	if n < 2 {
		return econ.Maybe[econ.Percent]{}, Point{}
	}
	last := closes[n-1]
	start := last.T.AddDate(0, -months, 0)
	i, found := slices.BinarySearchFunc(closes, start, func(p Point, t time.Time) int { return p.T.Compare(t) })
	if !found {
		i--
	}
	if i < 0 || i >= n-1 || start.Sub(closes[i].T) > ReturnGap || closes[i].V <= 0 {
		return econ.Maybe[econ.Percent]{}, Point{}
	}
	base := closes[i]
	return econ.Known(econ.Percent((last.V/base.V - 1) * 100)), base
}

// alerts returns the messages of the thresholds currently crossed.
func alerts(env *Env, d *Data) []string {
	var out []string
	a := env.Alerts
	if lim, ok := a.HashpriceBelow.Get(); ok {
		if hp, ok := d.Board.Network.Hashprice.Get(); ok && hp < lim {
			out = append(out, "hashprice $"+trim2(float64(hp))+" is below your $"+trim2(float64(lim))+" alert")
		}
	}
	if lim, ok := a.MarginBelowPct.Get(); ok {
		if h := d.Board.SectorRule.Headline; h.Source != "" {
			if m, ok := h.MarginPct.Get(); ok && m < lim {
				out = append(out, "sector "+h.Scope.String()+" margin "+trim2(float64(m))+"% ("+h.Source+") is below your "+trim2(float64(lim))+"% alert")
			}
		}
	}
	if lim, ok := a.PeerMovePct.Get(); ok {
		for _, p := range d.Peers {
			if v, ok := p.DayPct.Get(); ok && math.Abs(float64(v)) > float64(lim) {
				out = append(out, p.Ticker+" moved "+trim2(float64(v))+"% today")
			}
		}
	}
	return out
}

func trim2(v float64) string {
	return formatFloat(v, 2)
}

// stepCache keeps the sector medians replayed up to one day. They depend
// on the day: a figure leaves the rule's window at the start of a calendar
// quarter, so the steps of an older day, drawn on across a later board's
// chart, showed medians the rule no longer had (found in review: live, a
// "median direct (n 0 now)" line still at $27 through 2026). A board of
// another day replays them again: 2.3 ms (12 peers, to 2026-11-25), once a day.
type stepCache struct {
	mu    sync.Mutex
	done  bool
	to    econ.Date
	steps []econ.MedianStep
}

// upTo returns the steps from the first embedded hashprice day to day to
// (medianSteps), replayed when the cache holds another day's.
func (c *stepCache) upTo(env *Env, quarters map[string][]econ.Quarter, to econ.Date) []econ.MedianStep {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done || c.to != to {
		c.steps, c.to, c.done = medianSteps(env, quarters, to), to, true
	}
	return c.steps
}

// medianSteps replays the sector rule from the first day of env's
// hashprice history to day to (no later than env's as-of day) with the
// peers' quarters (quarters overrides env's per peer, for the filings).
func medianSteps(env *Env, quarters map[string][]econ.Quarter, to econ.Date) []econ.MedianStep {
	pts := env.hashprice.Points
	if len(pts) == 0 {
		return nil
	}
	miners := make([]econ.Miner, len(env.Peers))
	for i, p := range env.Peers {
		miners[i] = econ.Miner{Ticker: p, Quarters: env.Miners[p].Quarters}
		if q, ok := quarters[p]; ok {
			miners[i].Quarters = q
		}
	}
	from := econ.DateOf(pts[0].T)
	if at := econ.DateOf(env.asOf); !env.asOf.IsZero() && at.Before(to) {
		to = at
	}
	return econ.MedianSteps(miners, env.periods, env.benchmarks, from, to)
}
