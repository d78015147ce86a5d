package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// TestConcurrentUse runs one poller writing and several viewers reading,
// and a compaction, at once (meant for -race). Readers must only ever see
// whole batches: every batch writes the same count to two metrics.
func TestConcurrentUse(t *testing.T) {
	s := openTest(t, Options{MaxReaders: 3})
	ctx := context.Background()
	const batches, perBatch = 60, 20
	var wg sync.WaitGroup
	done := make(chan struct{})
	errc := make(chan error, 16)

	wg.Add(1)
	go func() { // the poller
		defer wg.Done()
		defer close(done)
		for b := range batches {
			var batch []market.Observation
			for i := range perBatch {
				at := t0.Add(time.Duration(b*perBatch+i) * time.Second)
				batch = append(batch, obs(market.PriceUSD, at, float64(b), "kraken"), obs(market.Height, at, float64(b), "mempool"))
			}
			if err := s.Add(ctx, batch...); err != nil {
				errc <- err
				return
			}
			if b%20 == 0 {
				if err := s.AddBars(ctx, "MARA", "yahoo", []market.Bar{{Day: t0.AddDate(0, 0, b), Close: float64(b + 1)}}); err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	for r := range 4 {
		wg.Add(1)
		go func() { // a viewer
			defer wg.Done()
			keys := []Key{MetricKey(market.PriceUSD), MetricKey(market.Height), CloseKey("MARA")}
			for {
				select {
				case <-done:
					return
				default:
				}
				grid, cols, err := s.Aligned(ctx, keys, t0, t0.Add(24*time.Hour), Raw)
				if err != nil {
					errc <- err
					return
				}
				// Both metrics come from the same transactions: at every
				// time either both or neither have a value.
				for j := range grid {
					if (cols[0][j] != cols[0][j]) != (cols[1][j] != cols[1][j]) {
						errc <- fmt.Errorf("viewer %d saw half a batch at %v", r, grid[j])
						return
					}
				}
				if _, _, err := s.Latest(ctx, market.PriceUSD); err != nil {
					errc <- err
					return
				}
				if _, err := s.Series(ctx, market.Height, t0, t0.Add(time.Hour), Hourly); err != nil {
					errc <- err
					return
				}
				if _, _, err := s.LastTime(ctx, CloseKey("MARA")); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // a compaction racing the poller (nothing old enough to roll)
		defer wg.Done()
		for range 5 {
			if _, err := s.Compact(ctx, t0); err != nil {
				errc <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	ps, err := s.Series(ctx, market.PriceUSD, t0, t0.Add(24*time.Hour), Raw)
	if err != nil || len(ps) != batches*perBatch {
		t.Errorf("%d points stored, want %d (%v)", len(ps), batches*perBatch, err)
	}
}

// TestTwoStoresOneFile: two Stores (as two hashdeck processes would) on
// the same file, both writing; the busy timeout and IMMEDIATE transactions
// make them take turns.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for k, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if err := s.Add(context.Background(), obs(market.Height, t0.Add(time.Duration(i)*time.Second), float64(i), fmt.Sprint("src", k))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := entryCount(t, a); n != 200 {
		t.Errorf("%d rows, want 200", n)
	}
	// a learns about b's source when it meets its rows.
	if p, ok, err := a.Latest(context.Background(), market.Height); err != nil || !ok || (p.Source != "src0" && p.Source != "src1") {
		t.Errorf("Latest = %+v, %v, %v", p, ok, err)
	}
}

// The crash test re-runs this test binary as a writer (TestHelperProcess),
// kills it with SIGKILL in the middle of writing, and checks the database.
const helperEnv = "HASHDECK_STORE_HELPER_DB"

// helperBatch is how many observations the helper writes per transaction:
// enough that the transaction takes a while (about a millisecond), so the
// kill lands inside one.
const helperBatch = 500

// TestHelperProcess is not a test: run by TestCrashSafety in a child
// process, it writes batches of consecutive observations forever and
// prints the number of each batch once committed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	deadline := time.Now().Add(time.Minute) // never outlive a lost parent for long
	for b := 0; time.Now().Before(deadline); b++ {
		batch := make([]market.Observation, helperBatch)
		for i := range batch {
			n := b*helperBatch + i
			batch[i] = obs(market.Height, t0.Add(time.Duration(n)*time.Second), float64(n), "helper")
		}
		if err := s.Add(context.Background(), batch...); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println(b)
	}
	os.Exit(0)
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "history.db")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a varying number of committed batches, while the
		// child is in the middle of the next one.
		killAfter := 10 + 7*round
		acked := -1
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			b, err := strconv.Atoi(sc.Text())
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper said %q", sc.Text())
			}
			acked = b
			if acked >= killAfter {
				break
			}
		}
		// Land at different points of the next transaction.
		time.Sleep(time.Duration(round) * 400 * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if acked < killAfter {
			t.Fatalf("helper stopped after batch %d", acked)
		}

		// The killed writer left its WAL behind: reopening must recover
		// from it.
		if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
			t.Errorf("round %d: no WAL left by the killed writer (%v)", round, err)
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
		}
		if s.Recovered() != "" {
			t.Fatalf("round %d: database was moved aside after SIGKILL: %v", round, s.RecoveryCause())
		}
		var check string
		if err := s.r.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		ps, err := s.Series(context.Background(), market.Height, t0, t0.Add(1000*time.Hour), Raw)
		if err != nil {
			t.Fatal(err)
		}
		// A prefix of what was written: 0, 1, 2, … with no gap, whole
		// batches only, at least every acknowledged batch.
		for i, p := range ps {
			if p.Value != float64(i) || !p.At.Equal(t0.Add(time.Duration(i)*time.Second)) {
				t.Fatalf("round %d: point %d is %+v: not a prefix", round, i, p)
			}
		}
		if len(ps)%helperBatch != 0 {
			t.Errorf("round %d: %d points: a partial batch survived", round, len(ps))
		}
		if len(ps) < (acked+1)*helperBatch {
			t.Errorf("round %d: %d points, but %d batches were acknowledged", round, len(ps), acked+1)
		}
		t.Logf("round %d: killed after batch %d acknowledged; %d batches on disk", round, acked, len(ps)/helperBatch)
		s.Close()
	}
}
