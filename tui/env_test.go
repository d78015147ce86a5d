package tui

import (
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/tui/board"
)

// testEnv is the board environment over the embedded dataset, loaded once
// for every test of the package.
var testEnv = sync.OnceValue(func() *board.Env {
	ds, err := dataset.Load()
	if err != nil {
		panic(err)
	}
	return board.NewEnv(ds, dataset.DefaultPeers())
})

// fixedNow is the clock of every golden test.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
