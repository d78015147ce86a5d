package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// seconds is a duration flag that also takes a bare number as seconds
// (--timeout 30 is 30s), since that is what people type; the standard
// flag.Duration refuses it.
type seconds struct{ d *time.Duration }

// durationVar defines a --name duration flag on fs with a default, taking
// Go durations (90s, 1m30s) or a bare number of seconds.
func durationVar(fs *flag.FlagSet, d *time.Duration, name string, def time.Duration, usage string) {
	*d = def
	fs.Var(seconds{d}, name, usage)
}

func (s seconds) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s seconds) Set(v string) error {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 || n > 1e6 {
			return fmt.Errorf("%s seconds is out of range", v)
		}
		*s.d = time.Duration(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 30s, 2m, or a number of seconds)", v)
	}
	*s.d = d
	return nil
}
