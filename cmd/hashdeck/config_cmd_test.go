package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/config"
	"github.com/pelletier/go-toml/v2"
)

// configEnv returns a getenv reading from vars.
func configEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runConfigArgs runs "hashdeck config args..." with the environment vars.
func runConfigArgs(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runConfigEnv(args, &out, &errb, configEnv(vars))
	return code, out.String(), errb.String()
}

func TestConfigPathRules(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"XDG", map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/hashdeck/config.toml"},
		{"XDG trailing slash", map[string]string{"XDG_CONFIG_HOME": "/xdg/", "HOME": "/home/u"}, "/xdg/hashdeck/config.toml"},
		{"relative XDG is ignored", map[string]string{"XDG_CONFIG_HOME": "rel/cfg", "HOME": "/home/u"}, "/home/u/.config/hashdeck/config.toml"},
		{"HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.config/hashdeck/config.toml"},
		{"nothing", map[string]string{}, ""},
	}
	if runtime.GOOS == "windows" {
		t.Skip("the XDG rules are tested with Unix paths")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.DefaultPath(configEnv(tt.env))
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), "--config") {
					t.Errorf("got %q, %v; want an error suggesting --config", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
			code, out, _ := runConfigArgs(t, tt.env, "path")
			if code != exitOK || out != tt.want+"\n" {
				t.Errorf("config path: exit %d, %q", code, out)
			}
		})
	}
	code, out, _ := runConfigArgs(t, map[string]string{"HOME": "/home/u"}, "path", "--config", "my.toml")
	if code != exitOK || out != "my.toml\n" {
		t.Errorf("config path --config: exit %d, %q", code, out)
	}
	if code, _, errs := runConfigArgs(t, nil, "path"); code != exitError || !strings.Contains(errs, "HOME") {
		t.Errorf("config path with no HOME: exit %d, %q", code, errs)
	}
}

func TestConfigKeysNeverPrinted(t *testing.T) {
	const fileKey, envKey = "file-key-Zq9", "env-key-Xw7"
	c, err := config.Parse("test.toml", []byte("[providers]\ncoingecko_key = \""+fileKey+"\"\nhashrateindex_key = \""+fileKey+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	keys := c.Keys(configEnv(map[string]string{"HASHDECK_COINGECKO_KEY": envKey}))
	if keys.CoinGecko.Reveal() != envKey || keys.HashrateIndex.Reveal() != fileKey {
		t.Fatal("the keys were not loaded")
	}
	holder := struct {
		cfg  config.Config
		keys config.APIKeys
		Pub  *config.Config
	}{c, keys, &c}
	var out []string
	for _, v := range []any{keys, &keys, keys.CoinGecko, &keys.CoinGecko, c, &c, c.Providers, holder, []config.Secret{keys.CoinGecko}, map[string]config.Secret{"k": keys.HashrateIndex}} {
		out = append(out, fmt.Sprintf("%v %+v %#v %s %q %x %X %d %T", v, v, v, v, v, v, v, v, v))
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	if got := fmt.Sprintf("%v|%+v|%#v", keys, keys, keys.CoinGecko); got != "coingecko set, hashrateindex set|coingecko set, hashrateindex set|set" {
		t.Errorf("printed keys: %s", got)
	}
	if b, _ := json.Marshal(keys); string(b) != `{"coingecko":"set","hashrateindex":"set"}` {
		t.Errorf("JSON keys: %s", b)
	}
	var enc bytes.Buffer
	if err := toml.NewEncoder(&enc).Encode(map[string]any{"keys": keys, "providers": c.Providers}); err != nil {
		t.Fatal(err)
	}
	out = append(out, enc.String())
	if !regexp.MustCompile(`(?i)coingecko = .set.`).MatchString(enc.String()) {
		t.Errorf("TOML encoding of the keys:\n%s", enc.String())
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("keys", "coingecko", keys.CoinGecko, "all", keys, "config", c)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("keys", "coingecko", keys.CoinGecko, "all", keys)
	out = append(out, logs.String())
	// Problems with the keys do not show them either.
	bad := c
	bad.Providers.CoinGeckoKey = config.NewSecret("bad key\x01" + fileKey)
	out = append(out, fmt.Sprint(bad.Validate()))
	for _, s := range out {
		if strings.Contains(s, fileKey) || strings.Contains(s, envKey) {
			t.Errorf("a key is shown: %s", s)
		}
	}
	if !strings.Contains(fmt.Sprint(bad.Validate()), "providers.coingecko_key") {
		t.Error("Validate does not report the bad key")
	}
	// config check shows only set/unset.
	dir := t.TempDir()
	p := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(p, []byte("[providers]\nhashrateindex_key = \""+fileKey+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runConfigArgs(t, map[string]string{"HASHDECK_COINGECKO_KEY": envKey}, "check", "--config", p)
	if code != exitOK || strings.Contains(stdout+stderr, fileKey) || strings.Contains(stdout+stderr, envKey) {
		t.Errorf("check: exit %d, %q %q", code, stdout, stderr)
	}
}

func TestConfigInit(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "xdg")}
	path := filepath.Join(dir, "xdg", "hashdeck", "config.toml")

	code, out, errs := runConfigArgs(t, env, "init")
	if code != exitOK || out != "wrote "+path+"\nEdit it, then run 'hashdeck config check'.\n" || errs != "" {
		t.Fatalf("init: exit %d, %q, %q", code, out, errs)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != config.DefaultFile() {
		t.Fatalf("init wrote %d bytes (%v), not the default file", len(data), err)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
		}
		if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
			t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
		}
	}
	if c, err := config.Load("", false, configEnv(env)); err != nil || !reflect.DeepEqual(c, config.Default()) {
		t.Errorf("the written file does not load as the defaults: %v", err)
	}

	// An existing file is not replaced without --force.
	if err := os.WriteFile(path, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runConfigArgs(t, env, "init")
	if code != exitError || out != "" || !strings.Contains(errs, path+" already exists; use --force") {
		t.Errorf("init over a file: exit %d, %q, %q", code, out, errs)
	}
	if data, _ := os.ReadFile(path); string(data) != "# mine\n" {
		t.Error("init without --force changed the file")
	}

	// --force replaces it, with mode 0600 whatever the old mode.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runConfigArgs(t, env, "init", "--force")
	if code != exitOK {
		t.Fatalf("init --force: exit %d, %q", code, errs)
	}
	if data, _ := os.ReadFile(path); string(data) != config.DefaultFile() {
		t.Error("init --force did not write the default file")
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode after --force %v, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries after --force, want 1 (no temporary file left)", len(entries))
	}

	// --config names the file; --force through a symbolic link keeps the link.
	other := filepath.Join(dir, "elsewhere", "deep", "h.toml")
	if code, _, errs := runConfigArgs(t, nil, "init", "--config", other); code != exitOK {
		t.Fatalf("init --config: exit %d, %q", code, errs)
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "link.toml")
		if err := os.Symlink(other, link); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(other, []byte("# old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runConfigArgs(t, nil, "init", "--config", link, "--force"); code != exitOK {
			t.Fatalf("init --force through a link: exit %d, %q", code, errs)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Error("init --force replaced the symbolic link")
		}
		if data, _ := os.ReadFile(other); string(data) != config.DefaultFile() {
			t.Error("init --force through a link did not write its target")
		}
	}
}

// config check says whether SEC EDGAR is on, and warns (exit 0: the
// dashboard runs without the filings) about a User-Agent the SEC would
// refuse; it used to say "ok" and leave the feed silently off.
func TestConfigCheckSECUserAgent(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ ua, out, warn string }{
		{"Ops Team ops@hashdeck.dev", "SEC EDGAR on)", ""},
		{"nobody", "SEC EDGAR off (see the warning))", `warning: sec.user_agent (or HASHDECK_SEC_USER_AGENT): User-Agent "nobody" has no email address`},
	} {
		p := filepath.Join(dir, "sec.toml")
		if err := os.WriteFile(p, []byte("[sec]\nuser_agent = \""+tt.ua+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runConfigArgs(t, nil, "check", "--config", p)
		if code != exitOK || !strings.HasSuffix(out, tt.out+"\n") || !strings.HasPrefix(errs, tt.warn) || (tt.warn == "") != (errs == "") {
			t.Errorf("%q: exit %d\n%s%s", tt.ua, code, out, errs)
		}
	}
	// The environment wins over the file.
	code, out, _ := runConfigArgs(t, map[string]string{"HASHDECK_SEC_USER_AGENT": "Ops Team ops@hashdeck.dev"}, "check", "--config", filepath.Join(dir, "sec.toml"))
	if code != exitOK || !strings.HasSuffix(out, "SEC EDGAR on)\n") {
		t.Errorf("env user agent: exit %d, %q", code, out)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	def := filepath.Join(dir, "hashdeck", "config.toml")

	code, out, errs := runConfigArgs(t, env, "check")
	if want := "ok: " + def + " (12 peers, 0 miner overrides, keys: coingecko unset, hashrateindex unset; no file: the defaults; SEC EDGAR off (no [sec] user_agent))\n"; code != exitOK || out != want || errs != "" {
		t.Errorf("check with no file: exit %d\n got %q\nwant %q\n%s", code, out, want, errs)
	}

	full := filepath.Join("internal", "config", "testdata", "config", "full.toml")
	env["HASHDECK_HASHRATEINDEX_KEY"] = "hri"
	code, out, errs = runConfigArgs(t, env, "check", "--config", full)
	if want := "ok: " + full + " (4 peers, 2 miner overrides, keys: coingecko set, hashrateindex set; SEC EDGAR off (no [sec] user_agent))\n"; code != exitOK || out != want || errs != "" {
		t.Errorf("check full.toml: exit %d\n got %q\nwant %q\n%s", code, out, want, errs)
	}
	one := filepath.Join(dir, "one.toml")
	if err := os.WriteFile(one, []byte("[peers]\ntickers = [\"IREN\"]\n[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runConfigArgs(t, nil, "check", "--config", one); code != exitOK || !strings.Contains(out, "(1 peer, 1 miner override, keys: coingecko unset, hashrateindex unset; SEC EDGAR off") {
		t.Errorf("check one.toml: exit %d, %q", code, out)
	}

	bad := filepath.Join("internal", "config", "testdata", "config", "bad.toml")
	code, out, errs = runConfigArgs(t, env, "check", "--config", bad)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if code != exitUsage || out != "" || len(lines) != 13 {
		t.Fatalf("check bad.toml: exit %d, stdout %q, %d lines of stderr:\n%s", code, out, len(lines), errs)
	}
	for _, l := range lines[:12] {
		if !strings.HasPrefix(l, bad+":") {
			t.Errorf("line %q does not start with %s:LINE:", l, bad)
		}
	}
	if lines[12] != "hashdeck config check: 12 problems in "+bad {
		t.Errorf("last line %q", lines[12])
	}

	code, _, errs = runConfigArgs(t, env, "check", "--config", filepath.Join(dir, "missing.toml"))
	if code != exitUsage || !strings.Contains(errs, "missing.toml: no such file") {
		t.Errorf("check a missing --config file: exit %d, %q", code, errs)
	}
	code, _, errs = runConfigArgs(t, map[string]string{"XDG_CONFIG_HOME": dir, "HASHDECK_KRAKEN_URL": "ftp://x"}, "check")
	if code != exitUsage || !strings.Contains(errs, "HASHDECK_KRAKEN_URL") {
		t.Errorf("check with a bad environment URL: exit %d, %q", code, errs)
	}
	code, _, errs = runConfigArgs(t, env, "check", "--config", filepath.Join("internal", "config", "testdata", "config", "syntax.toml"))
	if code != exitUsage || !strings.Contains(errs, "syntax.toml:3:") {
		t.Errorf("check syntax.toml: exit %d, %q", code, errs)
	}
}

func TestConfigCommandUsage(t *testing.T) {
	code, out, errs := runConfigArgs(t, nil, "--help")
	if code != exitOK || errs != "" {
		t.Fatalf("config --help: exit %d, %q", code, errs)
	}
	for _, want := range []string{"init", "check", "path", "$XDG_CONFIG_HOME/hashdeck/config.toml", "$HOME/.config/hashdeck/config.toml",
		"HASHDECK_<NAME>_URL", "HASHDECK_COINGECKO_KEY", "HASHDECK_HASHRATEINDEX_KEY", "network (1m, floor 30s)", "history (24h, floor 1h)",
		"cost_scope", "efficiency_j_per_th", "never printed"} {
		if !strings.Contains(out, want) {
			t.Errorf("config --help does not mention %q", want)
		}
	}
	// Every table and key is listed, from the definitions.
	for _, tbl := range config.Tables() {
		for _, k := range tbl {
			if !strings.Contains(out, k) {
				t.Errorf("config --help does not mention %s", k)
			}
		}
	}
	if !strings.Contains(out, "NAME: MEMPOOL, BLOCKCHAININFO") {
		t.Error("config --help does not name the upstreams of HASHDECK_<NAME>_URL")
	}
	if _, out2, _ := runConfigArgs(t, nil, "help"); out2 != out {
		t.Error("'config help' differs from 'config --help'")
	}
	for _, sub := range []struct{ name, want string }{{"init", "-force"}, {"check", "ok: PATH"}, {"path", "-config PATH"}} {
		code, out, errs := runConfigArgs(t, nil, sub.name, "--help")
		if code != exitOK || errs != "" || !strings.Contains(out, "Usage: hashdeck config "+sub.name) || !strings.Contains(out, sub.want) || !strings.Contains(out, "-config PATH") {
			t.Errorf("config %s --help: exit %d, stderr %q, stdout:\n%s", sub.name, code, errs, out)
		}
		if _, out2, _ := runConfigArgs(t, nil, "help", sub.name); out2 != out {
			t.Errorf("'config help %s' differs from 'config %s --help'", sub.name, sub.name)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "give a command"},
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"check", "--nope"}, "flag provided but not defined: --nope"},
		{[]string{"check", "extra.toml"}, `unexpected argument "extra.toml"`},
		{[]string{"path", "--config", ""}, "--config: give the path"},
		{[]string{"init", "--force=maybe"}, "invalid boolean value"},
	} {
		code, out, errs := runConfigArgs(t, map[string]string{"HOME": t.TempDir()}, tt.args...)
		if code != exitUsage || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("config %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errs, tt.want)
		}
	}
}
