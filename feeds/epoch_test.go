package feeds

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// TestImpossibleEpochIsRefused replays mempool.space's difficulty-adjustment
// answer first as recorded (2026-01-14: the epoch started 2026-01-06, 1,136
// blocks ago), then the same body dated 2026-12-04 (as the local stand-in
// serves it): an epoch 56 % done cannot have started 332 days earlier. The
// epoch start, and the estimates the upstream derived from it, are refused;
// the last good ones stay, marked stale; the height and difficulty stay live.
func TestImpossibleEpochIsRefused(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{
		mempoolDifficultyPath: "mempool/difficulty-adjustment",
		mempoolTipHeightPath:  "mempool/tip-height",
		mempoolHashratePath:   "mempool/hashrate-3d",
	})
	clock := &fakeClock{now: time.Date(2026, 1, 14, 15, 0, 1, 0, time.UTC)}
	p, hub := newTestPoller(t, clock, Group{Name: "network", Providers: []market.Provider{provider.NewMempoolNetwork(srv.URL, provider.HTTPOptions{Timeout: 2 * time.Second})}})
	p.Poll(context.Background())
	epochal := []market.Metric{market.EpochStart, market.AdjustmentPct, market.MeanBlockTime, market.RetargetDate}
	st := hub.Current()
	for _, m := range epochal {
		if v, ok := st.Value(m); !ok || v.Stale {
			t.Fatalf("as recorded: %s %+v (present %v), want live", m, v, ok)
		}
	}
	good, _ := st.Value(market.EpochStart)

	srv.Set(mempoolDifficultyPath, "mempool/difficulty-adjustment-replayed")
	srv.Set(mempoolTipHeightPath, "mempool/tip-height-replayed")
	clock.Advance(time.Date(2026, 12, 4, 20, 17, 1, 0, time.UTC).Sub(clock.Now()))
	p.Poll(context.Background())
	st = hub.Current()
	for _, m := range epochal {
		if v, ok := st.Value(m); !ok || !v.Stale {
			t.Errorf("replayed: %s %+v (present %v), want the last good value, stale", m, v, ok)
		}
	}
	if v, _ := st.Value(market.EpochStart); v.V != good.V {
		t.Errorf("epoch start %v, want the last good %v", v.V, good.V)
	}
	for _, m := range []market.Metric{market.Height, market.Difficulty} {
		if v, ok := st.Value(m); !ok || v.Stale {
			t.Errorf("replayed: %s %+v, want live", m, v)
		}
	}
	h := healthOf(st, "mempool.space network")
	if !strings.Contains(h.LastError, "epoch start") || !strings.Contains(h.LastError, "impossible") {
		t.Errorf("health does not say why: %q", h.LastError)
	}
	var why []string
	for _, r := range st.Rejected {
		why = append(why, r.What)
	}
	for _, m := range epochal {
		if !strings.Contains(strings.Join(why, " "), string(m)) {
			t.Errorf("%s is not among the rejections %q", m, why)
		}
	}
}
