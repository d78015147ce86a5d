package main

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzCommandFlags drives the flag parsers of the commands that run
// without a terminal or a network (calc, snapshot --offline, config) with
// arbitrary arguments: whatever is typed, the command exits 0, 1 or 2 and
// never panics; on a usage error it says so on stderr (issue 13: no panic
// anywhere on a path a user can reach). `go test -fuzz FuzzCommandFlags`
// explores beyond the seeds.
func FuzzCommandFlags(f *testing.F) {
	for _, seed := range []string{
		"calc --price NaN", "calc --price 1e308 --difficulty 148.26 --height 0 --fees 0",
		"calc --difficulty 148.26T --price 91k --height -1 --fee-share 100", "calc --at yesterday --asics",
		"calc --price 91132 --difficulty 148.26T --height 931000 --fees 0.02 --json",
		"snapshot --size 0x0", "snapshot --size 99999x1 --format png", "snapshot --view miner:NOPE",
		"snapshot --at 1999-01-01T00:00:00Z", "snapshot --timeout -5", "snapshot --format json --size 80x24",
		"config check --config /nonexistent", "config path --bogus", "config init --config",
		"calc --", "calc -h", "snapshot ---x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) == 0 {
			return
		}
		switch args[0] {
		case "calc", "config":
		case "snapshot":
			args = append(args, "--offline", "--out", "-") // never the network, never a file
		default:
			return
		}
		if args[0] == "config" && len(args) > 1 && args[1] == "init" {
			return // writes a file
		}
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		t.Setenv("XDG_DATA_HOME", t.TempDir())
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if code < 0 || code > 2 {
			t.Errorf("%q: exit %d", args, code)
		}
		if code == exitUsage && errb.Len() == 0 {
			t.Errorf("%q: exit 2 with nothing on stderr", args)
		}
	})
}
