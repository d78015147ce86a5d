package snapshot

import (
	"encoding/json"
	"io"
	"math"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/board"
)

// Schema names the JSON document's layout; it changes when a key does.
const Schema = "hashdeck.snapshot/1"

// Meta is what the JSON document says besides the board.
type Meta struct {
	// View and Theme are the view and theme of the snapshot the JSON goes with.
	View, Theme string
	// ClockFixed is set when the board was computed as of a fixed time (--at).
	ClockFixed bool
	// Dataset is the as-of of each part of the embedded dataset: for a
	// board as of a time, the part's last day on or before it
	// (dataset.Dataset.AsOfAt).
	Dataset dataset.AsOf
	// Overrides are the figures the user's configuration put in place of
	// the dataset's, by ticker.
	Overrides map[string]Override
}

// Override says which of a miner's figures come from the user's
// configuration, and the source it names.
type Override struct {
	Source string   `json:"source"`
	Fields []string `json:"fields"`
}

// Freshness sorts the board's inputs: Stale holds every stale one, a live
// feed's that has not refreshed it or stored or embedded data older than
// the board allows (found in review: a hashprice "stale": true was listed
// as merely embedded, with "stale" empty); the others by where they come
// from, a live feed (Live), the history store (Stored), the embedded
// dataset (Embedded), or nowhere (Unknown). Names are JSON paths:
// "network.btc_price_usd", "peers.IREN.price_usd"; a value's own entry
// ("sources") gives its layer.
type Freshness struct {
	Live     []string `json:"live"`
	Stale    []string `json:"stale"`
	Stored   []string `json:"stored"`
	Embedded []string `json:"embedded"`
	Unknown  []string `json:"unknown"`
}

// input is one network value of Data with its JSON name.
type input struct {
	name string
	v    board.Sourced
}

// networkInputs lists the network values of Data. The values only a live
// feed supplies (the number of price sources and their spread, the
// published hashprice) are left out when no feed gave them.
func networkInputs(d *board.Data) []input {
	out := []input{
		{"btc_price_usd", d.Price}, {"difficulty", d.Difficulty}, {"height", d.Height},
		{"fees_btc_per_block", d.Fees}, {"mean_block_time_s", d.BlockTime},
	}
	for _, in := range []input{
		{"btc_price_sources", d.PriceSources}, {"btc_price_spread_pct", d.PriceSpread},
		{"hashprice_published_usd_per_ph_day", d.Published},
	} {
		if in.v.Layer != board.LayerNone {
			out = append(out, in)
		}
	}
	return out
}

// Fresh returns where each of the board's inputs comes from.
func Fresh(d *board.Data) Freshness {
	f := Freshness{Live: []string{}, Stale: []string{}, Stored: []string{}, Embedded: []string{}, Unknown: []string{}}
	add := func(name string, v board.Sourced) {
		switch {
		case !v.OK:
			f.Unknown = append(f.Unknown, name)
		case v.Stale:
			f.Stale = append(f.Stale, name)
		case v.Layer == board.LayerLive:
			f.Live = append(f.Live, name)
		case v.Layer == board.LayerStored:
			f.Stored = append(f.Stored, name)
		default:
			f.Embedded = append(f.Embedded, name)
		}
	}
	for _, in := range networkInputs(d) {
		add("network."+in.name, in.v)
	}
	// Hashprice and everything else computed from the network inputs is as
	// fresh as the stalest of them; the network hashrate and the halving's
	// pace come from the mean block time (live, a refused poll leaves the
	// embedded one: found in review, the screen marked them, the JSON not).
	add("hashprice.usd_per_ph_day", d.Computed)
	add("network.network_hashrate_ehs", board.ComputedFrom(d.Difficulty, d.BlockTime))
	add("network.halving_eta_observed", board.ComputedFrom(d.Height, d.BlockTime))
	for _, p := range d.Peers {
		add("peers."+p.Ticker+".price_usd", p.Price)
	}
	return f
}

// sourced is a value with its provenance.
type sourced struct {
	Value  *float64   `json:"value"`
	Source string     `json:"source,omitempty"`
	AsOf   *time.Time `json:"as_of,omitempty"`
	Layer  string     `json:"layer"`
	Stale  bool       `json:"stale"`
}

func toSourced(v board.Sourced) sourced {
	s := sourced{Layer: v.Layer.String(), Stale: v.Stale, Source: v.Source}
	if v.OK && !math.IsNaN(v.V) && !math.IsInf(v.V, 0) {
		x := v.V
		s.Value = &x
	}
	if !v.At.IsZero() {
		t := v.At.UTC()
		s.AsOf = &t
	}
	return s
}

// document is the JSON snapshot. AsOf is the clock the board was computed
// at: --at, or the time of the snapshot.
type document struct {
	Schema     string    `json:"schema"`
	AsOf       time.Time `json:"as_of"`
	ClockFixed bool      `json:"clock_fixed"`
	DataMode   string    `json:"data_mode"`
	View       string    `json:"view,omitempty"`
	Theme      string    `json:"theme,omitempty"`
	Freshness  Freshness `json:"freshness"`
	Embedded   struct {
		AsOf        dataset.AsOf `json:"as_of"`
		OnScreen    string       `json:"on_screen,omitempty"`
		Attribution string       `json:"attribution"`
	} `json:"embedded_data"`
	Network struct {
		econ.NetworkView
		// AdjustmentSource names whose next-difficulty change adjustment
		// is, RetargetDateSource whose date (adjustment.eta) it is.
		AdjustmentSource   string             `json:"adjustment_source,omitempty"`
		RetargetDateSource string             `json:"retarget_date_source,omitempty"`
		Sources            map[string]sourced `json:"sources"`
	} `json:"network"`
	Hashprice struct {
		USDPerPHDay    econ.Maybe[econ.USDPerPHDay] `json:"usd_per_ph_day"`
		NetUSDPerPHDay econ.Maybe[econ.USDPerPHDay] `json:"net_usd_per_ph_day"`
		BTCPerPHDay    econ.Maybe[econ.BTCPerPHDay] `json:"btc_per_ph_day"`
		Change24hPct   econ.Maybe[econ.Percent]     `json:"change_24h_pct"`
		Change7dPct    econ.Maybe[econ.Percent]     `json:"change_7d_pct"`
		Published      *sourced                     `json:"published_usd_per_ph_day,omitempty"`
		// Layer, Stale and AsOf are those of the stalest network input.
		Layer       string                  `json:"layer"`
		Stale       bool                    `json:"stale"`
		AsOf        *time.Time              `json:"as_of,omitempty"`
		RecordLow   *dataset.ReferencePoint `json:"record_low,omitempty"`
		HistoryFrom *time.Time              `json:"history_from,omitempty"`
		HistoryTo   *time.Time              `json:"history_to,omitempty"`
	} `json:"hashprice"`
	// Sector is the sector rule (econ.ComputeSectorRule): the headline at
	// one scope with its n and source, the under-water count at one scope,
	// each scope's median with n and members, and the published
	// benchmarks beside the computed medians.
	Sector struct {
		AsOf     econ.Date   `json:"as_of"`
		Window   string      `json:"window"`
		Headline headlineDoc `json:"headline"`
		// MarginsStale: the headline's margin and per-BTC figure, the
		// under-water count and every margin here come from a stale
		// hashprice (as stale as it).
		MarginsStale bool                           `json:"margins_stale"`
		UnderWater   econ.UnderWaterCount           `json:"under_water"`
		Scopes       [econ.NumScopes]econ.RuleScope `json:"scopes"`
		Benchmarks   []econ.BenchmarkComparison     `json:"benchmarks"`
		// CostCurve is every miner at the scope the costs view opens at
		// (econ.SectorRule.CurveScope), as econ.CostCurve gives it.
		CostCurve []econ.CurveRow `json:"cost_curve"`
		Total     int             `json:"miners_total"`
	} `json:"sector"`
	Peers    []peerDoc `json:"peers"`
	Scenario struct {
		Inputs econ.Scenario `json:"inputs"`
		Fleet  struct {
			Efficiency econ.JoulesPerTH `json:"efficiency_j_per_th"`
			PowerPrice econ.USDPerKWh   `json:"power_price_usd_per_kwh"`
			PoolFee    econ.Percent     `json:"pool_fee_pct"`
		} `json:"my_fleet"`
	} `json:"scenario"`
	Alerts []string        `json:"alerts"`
	Feeds  []market.Health `json:"feeds,omitempty"`
}

// peerDoc is one listed miner.
type peerDoc struct {
	Ticker   string                   `json:"ticker"`
	Price    sourced                  `json:"price_usd"`
	DayPct   econ.Maybe[econ.Percent] `json:"day_change_pct"`
	MonthPct econ.Maybe[econ.Percent] `json:"month_change_pct"`
	YearPct  econ.Maybe[econ.Percent] `json:"year_change_pct"`
	// MonthFrom and YearFrom are the closes the returns are measured from.
	MonthFrom      *time.Time           `json:"month_change_from,omitempty"`
	YearFrom       *time.Time           `json:"year_change_from,omitempty"`
	MarketCap      econ.Maybe[econ.USD] `json:"market_cap_usd"`
	Corr90         econ.Maybe[float64]  `json:"btc_return_correlation_90d"`
	ClosesFrom     *time.Time           `json:"closes_from,omitempty"`
	ClosesTo       *time.Time           `json:"closes_to,omitempty"`
	AIMW           econ.Maybe[float64]  `json:"ai_hpc_contracted_mw"`
	AICounterparty string               `json:"ai_hpc_counterparties,omitempty"`
	AIContracts    int                  `json:"ai_hpc_contracts"`
	Board          econ.MinerRow        `json:"board"`
	// MarginsStale: the board row's margins, breakevens, shutdown price
	// and costs per BTC "at today's network" come from a stale hashprice.
	MarginsStale bool                 `json:"margins_stale"`
	Override     *Override            `json:"user_override,omitempty"`
	Fundamentals dataset.Fundamentals `json:"fundamentals"`
}

// headlineDoc is the sector headline with its n unknown (null) for a
// published figure: that sample is the publisher's, not a count here
// (econ.Headline has 0).
type headlineDoc struct {
	econ.Headline
	N *int `json:"n"`
}

func newHeadlineDoc(h econ.Headline) headlineDoc {
	d := headlineDoc{Headline: h}
	if h.Source == "computed" {
		d.N = &h.N
	}
	return d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// JSON writes the whole board of d as an indented JSON document: the
// network with the source and as-of of each input, hashprice, the sector's
// cost statistics, every peer with its board row and its fundamentals'
// sources, the scenario inputs, the data mode and where every input comes
// from. Key names carry their units (hashprice_usd_per_ph_day).
func JSON(w io.Writer, d *board.Data, m Meta) error {
	var doc document
	doc.Schema = Schema
	doc.AsOf = d.Now.UTC()
	doc.ClockFixed = m.ClockFixed
	doc.DataMode = strings.ToLower(d.Mode.String())
	doc.View, doc.Theme = m.View, m.Theme
	doc.Freshness = Fresh(d)
	doc.Embedded.AsOf = m.Dataset
	doc.Embedded.OnScreen = d.AsOf
	doc.Embedded.Attribution = d.Attribution

	b := d.Board
	doc.Network.NetworkView = b.Network
	doc.Network.AdjustmentSource = d.AdjustmentSource
	doc.Network.RetargetDateSource = d.RetargetDateSource
	doc.Network.Sources = map[string]sourced{}
	for _, in := range networkInputs(d) {
		doc.Network.Sources[in.name] = toSourced(in.v)
	}

	hp := &doc.Hashprice
	hp.USDPerPHDay, hp.NetUSDPerPHDay, hp.BTCPerPHDay = b.Network.Hashprice, b.Network.HashpriceNet, b.Network.Hashvalue
	hp.Change24hPct, hp.Change7dPct = d.Change24h, d.Change7d
	hp.Layer, hp.Stale, hp.AsOf = d.Computed.Layer.String(), d.Computed.Stale, timePtr(d.Computed.At)
	if d.Published.OK {
		s := toSourced(d.Published)
		hp.Published = &s
	}
	if d.HasRecord {
		r := d.RecordLow
		hp.RecordLow = &r
	}
	if n := len(d.Hashprice.Points); n > 0 {
		hp.HistoryFrom, hp.HistoryTo = timePtr(d.Hashprice.Points[0].T), timePtr(d.Hashprice.Points[n-1].T)
	}

	r := b.SectorRule
	doc.Sector.AsOf, doc.Sector.Window, doc.Sector.Headline, doc.Sector.UnderWater = r.AsOf, r.Window, newHeadlineDoc(r.Headline), r.UnderWater
	doc.Sector.MarginsStale = d.Computed.Stale
	doc.Sector.Scopes, doc.Sector.Benchmarks, doc.Sector.Total = r.Scopes, r.Benchmarks, b.Total
	doc.Sector.CostCurve = b.CostCurve(r.CurveScope())
	if doc.Sector.Benchmarks == nil {
		doc.Sector.Benchmarks = []econ.BenchmarkComparison{}
	}

	doc.Peers = make([]peerDoc, len(d.Peers))
	for i := range d.Peers {
		p := &d.Peers[i]
		pd := peerDoc{
			Ticker: p.Ticker, Price: toSourced(p.Price),
			DayPct: p.DayPct, MonthPct: p.MonthPct, YearPct: p.YearPct,
			MonthFrom: timePtr(p.MonthBase.T), YearFrom: timePtr(p.YearBase.T),
			MarketCap: p.MarketCap, Corr90: p.Corr90,
			AIMW: p.AIMW, AICounterparty: p.AICounterparty, AIContracts: p.AIContracts,
			Board: p.Miner, MarginsStale: d.Computed.Stale, Fundamentals: p.Fundamentals,
		}
		if n := len(p.Closes); n > 0 {
			pd.ClosesFrom, pd.ClosesTo = timePtr(p.Closes[0].T), timePtr(p.Closes[n-1].T)
		}
		if o, ok := m.Overrides[p.Ticker]; ok {
			pd.Override = &o
		}
		doc.Peers[i] = pd
	}

	doc.Scenario.Inputs = d.Scenario
	doc.Scenario.Fleet.Efficiency, doc.Scenario.Fleet.PowerPrice, doc.Scenario.Fleet.PoolFee = d.Fleet.Efficiency, d.Fleet.PowerPrice, d.Fleet.PoolFee
	doc.Alerts = append([]string{}, d.Alerts...)
	doc.Feeds = d.Health

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&doc)
}
