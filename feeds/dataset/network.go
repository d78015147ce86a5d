package dataset

import (
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// NetworkDay is one UTC day of Bitcoin network data from Coin Metrics, with
// the values hashdeck derives from it. Every day in the file has blocks, a
// hashrate and a price, so the derived values are always defined.
type NetworkDay struct {
	// Date is the UTC day (00:00 UTC).
	Date time.Time `json:"date"`
	// Price is Coin Metrics' reference rate at 00:00 UTC of the next day,
	// i.e. the day's close, in USD per BTC (PriceUSD).
	Price econ.USDPerBTC `json:"price_usd"`
	// Blocks is the number of blocks mined that day (BlkCnt).
	Blocks int `json:"blocks"`
	// Fees is the total of transaction fees paid to miners that day, in BTC (FeeTotNtv).
	Fees econ.BTC `json:"fees_btc"`
	// Subsidy is the new coins issued that day, in BTC (IssTotNtv).
	Subsidy econ.BTC `json:"subsidy_btc"`
	// IssuedUSD is Subsidy valued at Price, in USD, as published (IssTotUSD,
	// truncated to cents).
	IssuedUSD econ.USD `json:"issued_usd"`
	// Hashrate is the day's mean network hashrate in EH/s (HashRate ÷ 1e6;
	// Coin Metrics derives it from the difficulty and the block count).
	Hashrate econ.EHs `json:"hashrate_ehs"`
	// Difficulty is the mean difficulty of the day's blocks implied by the
	// hashrate: HashRate × 1e12 × 86400 / (Blocks × 2^32). It equals the
	// epoch's difficulty except on a retarget day, where it is a blend.
	Difficulty econ.Difficulty `json:"implied_difficulty"`
	// Hashvalue is gross revenue per PH/s for the day, in BTC/PH/day:
	// econ.Hashvalue(Difficulty, (Subsidy+Fees)/Blocks), which equals
	// (Subsidy+Fees) / hashrate in PH/s.
	Hashvalue econ.BTCPerPHDay `json:"hashvalue_btc_per_ph_day"`
	// Hashprice is Hashvalue × Price, in USD/PH/day (econ.Hashprice).
	Hashprice econ.USDPerPHDay `json:"hashprice_usd_per_ph_day"`
	// Height is the height of the last block mined that day (by Coin
	// Metrics' day assignment), derived from block counts and the retarget
	// heights (see [Dataset.Days]); unknown if that derivation fails.
	Height econ.Maybe[int64] `json:"height"`
}

// FeesPerBlock is the day's mean fee per block in BTC.
func (n NetworkDay) FeesPerBlock() econ.BTC { return n.Fees / econ.BTC(n.Blocks) }

// RewardPerBlock is the day's mean reward per block (subsidy + fees) in BTC.
func (n NetworkDay) RewardPerBlock() econ.BTC { return (n.Subsidy + n.Fees) / econ.BTC(n.Blocks) }

// FeeShare is fees as a percentage of subsidy plus fees.
func (n NetworkDay) FeeShare() econ.Maybe[econ.Percent] { return econ.FeeShare(n.Subsidy, n.Fees) }

// Revenue is the day's total miner revenue, (Subsidy + Fees) × Price, in USD.
func (n NetworkDay) Revenue() econ.USD { return econ.USD(float64(n.Subsidy+n.Fees) * float64(n.Price)) }

func (d *Dataset) loadNetwork(fsys fs.FS) error {
	t, err := openTable(fsys, fileCoinMetrics, false, "time", "BlkCnt", "FeeTotNtv", "HashRate", "IssTotNtv", "IssTotUSD", "PriceUSD")
	if err != nil {
		return err
	}
	cTime, cBlk, cFee, cHash := t.col("time"), t.col("BlkCnt"), t.col("FeeTotNtv"), t.col("HashRate")
	cIss, cIssUSD, cPrice := t.col("IssTotNtv"), t.col("IssTotUSD"), t.col("PriceUSD")
	d.days = make([]NetworkDay, 0, 400)
	for t.next() {
		date := t.date(cTime, "time")
		blocks := t.integer(cBlk, "BlkCnt")
		fees := t.float(cFee, "FeeTotNtv")
		hashTH := t.positive(cHash, "HashRate")
		sub := t.positive(cIss, "IssTotNtv")
		issUSD := t.positive(cIssUSD, "IssTotUSD")
		price := t.positive(cPrice, "PriceUSD")
		if !t.ok() {
			break
		}
		if blocks <= 0 || fees < 0 {
			t.failf("blocks %d and fees %v must be positive and non-negative", blocks, fees)
			break
		}
		if n := len(d.days); n > 0 && dayNumber(date) != dayNumber(d.days[n-1].Date)+1 {
			t.failf("day %s does not follow %s (days must be consecutive and ascending)", date.Format(time.DateOnly), d.days[n-1].Date.Format(time.DateOnly))
			break
		}
		diff := econ.Difficulty(hashTH * 1e12 * 86400 / (float64(blocks) * econ.HashesPerDifficulty))
		reward := econ.BTC((sub + fees) / float64(blocks))
		hv := econ.Hashvalue(diff, reward)
		d.days = append(d.days, NetworkDay{
			Date: date, Price: econ.USDPerBTC(price), Blocks: int(blocks), Fees: econ.BTC(fees),
			Subsidy: econ.BTC(sub), IssuedUSD: econ.USD(issUSD), Hashrate: econ.EHs(hashTH / 1e6),
			Difficulty: diff, Hashvalue: hv, Hashprice: econ.Hashprice(hv, econ.USDPerBTC(price)),
		})
	}
	if err := t.close(); err != nil {
		return err
	}
	if len(d.days) == 0 {
		return &ParseError{File: fileCoinMetrics, Err: fmt.Errorf("no rows")}
	}
	d.addFile(t, "Coin Metrics Community Data, coinmetrics/data csv/btc.csv (7 columns transcribed)", "CC BY-NC 4.0")
	return nil
}

// Days returns the network days in ascending order, one per UTC day with no
// gaps (2024-12-12 … 2025-12-29).
//
// Heights are derived, not published: on a retarget day the implied
// difficulty is the block-weighted mean of the old and new difficulty, so
// the number of blocks mined before the retarget block is
// Blocks × (Dnew − mean) / (Dnew − Dold); from it and the retarget height
// the last height of that day follows, and block counts carry it to every
// other day. Load checks that every retarget in the window lands exactly
// 2016 blocks after the previous one; if any check fails, every Height is
// unknown.
func (d *Dataset) Days() []NetworkDay { return d.days }

// Day returns the network day containing t (its UTC date).
func (d *Dataset) Day(t time.Time) (NetworkDay, bool) {
	i, ok := d.dayIndex(t)
	if !ok {
		return NetworkDay{}, false
	}
	return d.days[i], true
}

// dayIndex returns the index of t's UTC date in d.days (days are consecutive).
func (d *Dataset) dayIndex(t time.Time) (int, bool) {
	if len(d.days) == 0 {
		return 0, false
	}
	i := dayNumber(t) - dayNumber(d.days[0].Date)
	if i < 0 || i >= int64(len(d.days)) {
		return 0, false
	}
	return int(i), true
}

// dayRange returns the indexes [i, j] of the UTC dates from and to, and
// false unless both lie in the data and from ≤ to.
func (d *Dataset) dayRange(from, to time.Time) (int, int, bool) {
	i, ok1 := d.dayIndex(from)
	j, ok2 := d.dayIndex(to)
	if !ok1 || !ok2 || i > j {
		return 0, 0, false
	}
	return i, j, true
}

// MeanHashvalue returns the mean daily hashvalue in BTC/PH/day over the UTC
// days from `from` to `to`, both included (times of day are ignored), by
// [econ.MeanHashvalue]. It is unknown when from is after to or when any day
// of the range lies outside the network data: a period is never averaged
// over the part that happens to be covered.
func (d *Dataset) MeanHashvalue(from, to time.Time) econ.Maybe[econ.BTCPerPHDay] {
	i, j, ok := d.dayRange(from, to)
	if !ok {
		return econ.Maybe[econ.BTCPerPHDay]{}
	}
	var buf [400]econ.BTCPerPHDay
	hv := buf[:0]
	for k := i; k <= j; k++ {
		hv = append(hv, d.days[k].Hashvalue)
	}
	return econ.MeanHashvalue(hv)
}

// MeanHashprice returns the mean daily hashprice in USD/PH/day over the UTC
// days from `from` to `to`, both included; unknown under the same rule as
// [Dataset.MeanHashvalue].
func (d *Dataset) MeanHashprice(from, to time.Time) econ.Maybe[econ.USDPerPHDay] {
	i, j, ok := d.dayRange(from, to)
	if !ok {
		return econ.Maybe[econ.USDPerPHDay]{}
	}
	var sum float64
	for k := i; k <= j; k++ {
		sum += float64(d.days[k].Hashprice)
	}
	return econ.Known(econ.USDPerPHDay(sum / float64(j-i+1)))
}

// PeriodHashvalue is MeanHashvalue over a parsed period.
func (d *Dataset) PeriodHashvalue(p Period) econ.Maybe[econ.BTCPerPHDay] {
	if p.From.IsZero() {
		return econ.Maybe[econ.BTCPerPHDay]{}
	}
	return d.MeanHashvalue(p.From, p.To)
}

// Epoch is one difficulty epoch: the retarget at its first block.
type Epoch struct {
	// Height is the epoch's first block, a multiple of 2016.
	Height int64 `json:"height"`
	// Date is the UTC day on which that block was mined.
	Date time.Time `json:"date"`
	// BlockTime is the block's header timestamp; zero when not known (the
	// 21 epochs derived from Coin Metrics data).
	BlockTime time.Time `json:"block_time,omitzero"`
	// Difficulty is the difficulty of every block in the epoch (dimensionless).
	Difficulty econ.Difficulty `json:"difficulty"`
	// Source is the row's source text as given in the file.
	Source string `json:"source"`
	// Derived is set when the difficulty was computed from Coin Metrics'
	// hashrate rather than read from a block header or mempool.space.
	Derived bool `json:"derived"`
}

func (d *Dataset) loadEpochs(fsys fs.FS) error {
	t, err := openTable(fsys, fileEpochs, false, "height", "date_utc", "block_time_utc", "difficulty", "source")
	if err != nil {
		return err
	}
	cH, cDate, cTime, cDiff, cSrc := t.col("height"), t.col("date_utc"), t.col("block_time_utc"), t.col("difficulty"), t.col("source")
	d.epochs = make([]Epoch, 0, 470)
	for t.next() {
		e := Epoch{
			Height:     t.integer(cH, "height"),
			Date:       t.date(cDate, "date_utc"),
			Difficulty: econ.Difficulty(t.positive(cDiff, "difficulty")),
			Source:     strings.Clone(t.str(cSrc)),
		}
		if s := t.str(cTime); s != "" {
			bt, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.failf("column block_time_utc: %q is not an RFC 3339 time", s)
			} else if !utcDay(bt).Equal(e.Date) {
				t.failf("block_time_utc %s is not on date_utc %s", s, t.str(cDate))
			}
			e.BlockTime = bt
		}
		if !t.ok() {
			break
		}
		e.Derived = strings.HasPrefix(e.Source, "DERIVED")
		if e.Height < 0 || e.Height%econ.EpochBlocks != 0 {
			t.failf("height %d is not a multiple of %d", e.Height, econ.EpochBlocks)
			break
		}
		if n := len(d.epochs); n > 0 && (e.Height <= d.epochs[n-1].Height || e.Date.Before(d.epochs[n-1].Date)) {
			t.failf("height %d on %s does not follow height %d on %s", e.Height, t.str(cDate), d.epochs[n-1].Height, d.epochs[n-1].Date.Format(time.DateOnly))
			break
		}
		d.epochs = append(d.epochs, e)
	}
	if err := t.close(); err != nil {
		return err
	}
	d.addFile(t, "block headers (bitcoin-wallet checkpoints), mempool.space API, and 21 epochs derived from Coin Metrics", "public blockchain facts; derived rows inherit CC BY-NC 4.0")
	return nil
}

// Epochs returns every difficulty epoch from height 0 to the last one in the
// file (929,376), in ascending order.
func (d *Dataset) Epochs() []Epoch { return d.epochs }

// EpochAt returns the epoch in force at the end of t's UTC date: the last
// epoch whose first block was mined on or before that day.
func (d *Dataset) EpochAt(t time.Time) (Epoch, bool) {
	day := utcDay(t)
	i := sort.Search(len(d.epochs), func(i int) bool { return d.epochs[i].Date.After(day) })
	if i == 0 {
		return Epoch{}, false
	}
	return d.epochs[i-1], true
}

// deriveHeights fills NetworkDay.Height (see Days). It leaves every height
// unknown unless each retarget day in the window gives a whole number of
// pre-retarget blocks and consecutive retargets are exactly 2016 blocks apart.
func (d *Dataset) deriveHeights() {
	if len(d.days) == 0 || len(d.epochs) < 2 {
		return
	}
	ends := make([]int64, len(d.days)) // last height per day, 0 = not yet known
	anchor := -1
	for ei := 1; ei < len(d.epochs); ei++ {
		e, prev := d.epochs[ei], d.epochs[ei-1]
		i, ok := d.dayIndex(e.Date)
		if !ok {
			continue
		}
		day := d.days[i]
		n := float64(day.Blocks)
		k := n * float64(e.Difficulty-day.Difficulty) / float64(e.Difficulty-prev.Difficulty)
		kr := math.Round(k)
		if math.Abs(k-kr) > 0.01 || kr < 0 || kr > n-1 {
			return
		}
		end := e.Height + int64(n-kr) - 1
		if anchor >= 0 {
			got := ends[anchor]
			for j := anchor + 1; j <= i; j++ {
				got += int64(d.days[j].Blocks)
			}
			if got != end {
				return
			}
		}
		ends[i] = end
		anchor = i
	}
	if anchor < 0 {
		return
	}
	for j := anchor + 1; j < len(d.days); j++ {
		ends[j] = ends[j-1] + int64(d.days[j].Blocks)
	}
	for j := anchor - 1; j >= 0; j-- {
		ends[j] = ends[j+1] - int64(d.days[j+1].Blocks)
	}
	for j := range d.days {
		d.days[j].Height = econ.Known(ends[j])
	}
	d.heights = true
}

// Snapshot is the network as of the last day of the Coin Metrics data: the
// inputs a board needs, all taken from the data (nothing is assumed).
type Snapshot struct {
	// AsOf is the UTC day of the snapshot; Day is that day's data.
	AsOf time.Time  `json:"as_of"`
	Day  NetworkDay `json:"day"`
	// Epoch is the epoch in force at the end of the day, and Difficulty its difficulty.
	Epoch      Epoch           `json:"epoch"`
	Difficulty econ.Difficulty `json:"difficulty"`
	// Height is the tip height at the end of the day (see [Dataset.Days]).
	Height econ.Maybe[int64] `json:"height"`
	// FeesPerBlock is the day's mean fee per block in BTC (about one day's
	// blocks, like Hashrate Index's 144-block fee average).
	FeesPerBlock econ.BTC `json:"fees_btc_per_block"`
	// MeanBlockTime is 7 days ÷ the blocks mined in the last 7 days.
	MeanBlockTime time.Duration `json:"mean_block_time_ns"`
	// Hashvalue7d and Hashprice7d are the means of the last 7 daily values
	// (BTC/PH/day and USD/PH/day); daily values are noisy.
	Hashvalue7d econ.Maybe[econ.BTCPerPHDay] `json:"hashvalue_7d_btc_per_ph_day"`
	Hashprice7d econ.Maybe[econ.USDPerPHDay] `json:"hashprice_7d_usd_per_ph_day"`
}

// Latest returns the snapshot of the last network day; false when there are no days.
func (d *Dataset) Latest() (Snapshot, bool) {
	if len(d.days) == 0 {
		return Snapshot{}, false
	}
	return d.snapshot(len(d.days) - 1), true
}

// SnapshotAt returns the snapshot of the last network day on or before t
// (its UTC day), and false when t is before the first day.
func (d *Dataset) SnapshotAt(t time.Time) (Snapshot, bool) {
	y, m, dd := t.UTC().Date()
	day := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	i := sort.Search(len(d.days), func(i int) bool { return d.days[i].Date.After(day) }) - 1
	if i < 0 {
		return Snapshot{}, false
	}
	return d.snapshot(i), true
}

// snapshot builds the snapshot of day i.
func (d *Dataset) snapshot(i int) Snapshot {
	day := d.days[i]
	s := Snapshot{AsOf: day.Date, Day: day, Height: day.Height, FeesPerBlock: day.FeesPerBlock()}
	if e, ok := d.EpochAt(day.Date); ok {
		s.Epoch, s.Difficulty = e, e.Difficulty
	}
	if i >= 6 {
		from := d.days[i-6].Date
		s.Hashvalue7d = d.MeanHashvalue(from, day.Date)
		s.Hashprice7d = d.MeanHashprice(from, day.Date)
		blocks := 0
		for _, x := range d.days[i-6 : i+1] {
			blocks += x.Blocks
		}
		s.MeanBlockTime = 7 * 24 * time.Hour / time.Duration(blocks)
	}
	return s
}

// NetworkInputs turns the snapshot into econ inputs for econ.ComputeBoard:
// the day's close, the epoch's difficulty, the tip height, the day's mean fee
// per block, the 7-day mean block time, and Now at the end of the day. The
// epoch start is set only when its block time is known, so no
// next-difficulty estimate is made from a derived epoch.
func (s Snapshot) NetworkInputs() econ.NetworkInputs {
	in := econ.NetworkInputs{
		Price:         econ.Known(s.Day.Price),
		FeesPerBlock:  econ.Known(s.FeesPerBlock),
		Height:        s.Height,
		MeanBlockTime: s.MeanBlockTime,
		EpochStart:    s.Epoch.BlockTime,
		Now:           s.AsOf.Add(24 * time.Hour),
	}
	if s.Difficulty > 0 {
		in.Difficulty = econ.Known(s.Difficulty)
	}
	if s.AsOf.IsZero() {
		in.Price, in.FeesPerBlock, in.Now = econ.Maybe[econ.USDPerBTC]{}, econ.Maybe[econ.BTC]{}, time.Time{}
	}
	return in
}
