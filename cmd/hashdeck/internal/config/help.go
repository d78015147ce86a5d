package config

import (
	"fmt"
	"io"
	"strings"
)

// WriteHelp writes the environment variables and every setting, listed
// from the same definitions as the decoder (Tables), for 'hashdeck config
// --help'.
func WriteHelp(w io.Writer) {
	var upstreams []string
	for _, t := range Tables() {
		for _, k := range t[1:] {
			if name, ok := strings.CutSuffix(k, "_url"); ok && t[0] == "[providers]" {
				upstreams = append(upstreams, strings.ToUpper(name))
			}
		}
	}
	fmt.Fprint(w, `The environment wins over the file:
  HASHDECK_<NAME>_URL          base URL of an upstream, scheme://host[:port]
`)
	upstreams[len(upstreams)-1] += ")"
	helpList(w, strings.Repeat(" ", 31)+"(NAME:", upstreams, 30)
	fmt.Fprint(w, `  HASHDECK_COINGECKO_KEY       CoinGecko demo API key
  HASHDECK_HASHRATEINDEX_KEY   Hashrate Index API key
  HASHDECK_SEC_USER_AGENT      your name and email for SEC EDGAR (off without)
API keys are never printed: 'check' says only whether each is set.

Settings (units are in the key names; intervals are Go durations: 90s, 5m, 1h):
`)
	for _, t := range Tables() {
		keys := t[1:]
		if t[0] == "[intervals]" {
			keys = IntervalsHelp()
		}
		helpList(w, fmt.Sprintf("  %-12s", t[0]), keys, 14)
	}
	themes := strings.ReplaceAll(strings.Trim(fmt.Sprint(Themes()[1:]), "[]"), " ", ", ")
	fmt.Fprint(w, `The theme is auto (following the terminal's background) or one of
`+themes+`.
Each [alerts] setting is off unless set. A [[miner]] table overrides a
miner's figures with your own; cost_usd_per_btc needs cost_scope (power,
direct, cash or all-in) and cost_period ("2025-Q3").
'hashdeck config init' writes them all with their units, defaults and floors.
Unknown keys are errors. In messages miner[N] is the N-th [[miner]] table and
tickers[N] the N-th ticker, counting from 1.
`)
}

// helpList writes items after head, separated by commas, wrapped at 78
// columns with the lines after the first indented by indent spaces.
func helpList(w io.Writer, head string, items []string, indent int) {
	line := head
	for i, it := range items {
		if i > 0 && len(line)+len(it) > 76 {
			fmt.Fprintln(w, line+",")
			line = strings.Repeat(" ", indent)
		} else if i > 0 {
			line += ","
		}
		line += " " + it
	}
	fmt.Fprintln(w, line)
}
