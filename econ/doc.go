// Package econ is hashdeck's economics core: pure functions and plain
// values that turn network inputs (BTC price, difficulty, fees, height) and
// miner fundamentals into every number the dashboard shows.
//
// The package does no I/O, reads no clock and keeps no package-level mutable
// state; "now" is always an argument. Every quantity carries its unit in its
// type name (USDPerPHDay, BTCPerPHDay, JoulesPerTH, ...), and a value that is
// not known is a [Maybe] in its unknown state, never a zero.
//
// Conventions used throughout:
//
//   - Hashrate units are decimal: 1 EH/s = 1e3 PH/s = 1e6 TH/s = 1e18 H/s.
//   - Hashprice is gross, FPPS-style (subsidy plus fees, no pool fee), in USD
//     per PH/s per day, as Hashrate Index publishes it since 2022. A pool fee
//     is an explicit haircut ([AfterPoolFee]).
//   - Percentages are in percent (5 means 5%), never fractions.
//   - The expected work per block is D·2^32 hashes (the industry convention;
//     the exact figure is 1.0000153·D·2^32).
package econ
