package tui

import (
	"testing"

	"github.com/hashdeck/hashdeck/tui/board"
)

// The epoch line's note names what the change and the date are derived
// from, both when they differ.
func TestAdjustmentNoteNamesEachSource(t *testing.T) {
	for _, tc := range []struct{ change, date, want string }{
		{"mempool.space", "mempool.space", "mempool"},
		{"mempool.space", board.OwnDateSource, "mempool, date est."},
		{board.OwnChangeSource, board.OwnDateSource, "est."},
		{"", "", ""},
	} {
		d := &board.Data{AdjustmentSource: tc.change, RetargetDateSource: tc.date}
		if got := adjustmentNote(d); got != tc.want {
			t.Errorf("%q / %q: note %q, want %q", tc.change, tc.date, got, tc.want)
		}
	}
}
