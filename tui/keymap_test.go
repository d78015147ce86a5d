package tui

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

// keyGroup is a struct of bindings in the keymap, found by walking it
// (independently of KeyMap.global, KeyMap.view and bindings).
type keyGroup struct {
	path     string
	bindings map[string]key.Binding // by field path
	groups   []keyGroup             // nested groups: modes of their parent
}

func walkKeys(v reflect.Value, path string) keyGroup {
	g := keyGroup{path: path, bindings: map[string]key.Binding{}}
	for i := range v.NumField() {
		name := path + "." + v.Type().Field(i).Name
		if b, ok := v.Field(i).Interface().(key.Binding); ok {
			g.bindings[name] = b
			continue
		}
		if v.Field(i).Kind() != reflect.Struct {
			panic(name + " is neither a binding nor a group")
		}
		g.groups = append(g.groups, walkKeys(v.Field(i), name))
	}
	return g
}

func (g keyGroup) count() int {
	n := len(g.bindings)
	for _, s := range g.groups {
		n += s.count()
	}
	return n
}

// keyDisplay is how the help writes a key.
var keyDisplay = map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→", " ": "space"}

// labelNames reports whether a help label names key k: as one of its
// tokens (split at spaces, slashes and commas, " or " dropped) or within a
// range of single characters such as "1–5".
func labelNames(label, k string) bool {
	if d, ok := keyDisplay[k]; ok {
		k = d
	}
	for _, tok := range strings.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == '/' || r == ',' }) {
		if tok == k {
			return true
		}
		if lo, hi, ok := strings.Cut(tok, "–"); ok && utf8.RuneCountInString(lo) == 1 && utf8.RuneCountInString(hi) == 1 && utf8.RuneCountInString(k) == 1 {
			r, _ := utf8.DecodeRuneInString(k)
			l, _ := utf8.DecodeRuneInString(lo)
			h, _ := utf8.DecodeRuneInString(hi)
			if l <= r && r <= h {
				return true
			}
		}
	}
	return false
}

// TestKeymapEveryBindingInHelp checks that every binding of the keymap is
// in the help — the global ones in every view's, a view's own in that
// view's — in a row whose label names each of its keys.
func TestKeymapEveryBindingInHelp(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, err := themes.Get("dark", true)
	if err != nil {
		t.Fatal(err)
	}
	all := walkKeys(reflect.ValueOf(Keys), "Keys").count()
	shown := 0
	for v := View(0); v < numViews; v++ {
		frame := ansi.Strip(Render(d, UI{View: v, ShowHelp: true}, 200, 60, th))
		global, view := helpRows(Keys.global()), helpRows(bindings(Keys.view(v)))
		if v == 0 {
			shown += len(Keys.global())
		}
		shown += len(bindings(Keys.view(v)))
		for _, r := range append(global, view...) {
			if r.label == "" || r.desc == "" {
				t.Errorf("%v: a help row without a label or description: %+v", v, r)
			}
			if line := "  " + padRight(r.label, helpKeyWidth) + " " + r.desc; !strings.Contains(frame, line) {
				t.Errorf("%v: the help has no line %q", v, line)
			}
			for _, b := range r.bindings {
				for _, k := range b.Keys() {
					if !labelNames(r.label, k) {
						t.Errorf("%v: the help row %q does not name the key %q", v, r.label, k)
					}
				}
			}
		}
		if i := strings.Index(frame, v.String()+" view"); len(view) > 0 && i < 0 {
			t.Errorf("%v: no section for the view's keys", v)
		}
	}
	if shown != all {
		t.Errorf("the help shows %d bindings, the keymap has %d: a group is missing from KeyMap.view", shown, all)
	}
}

// TestKeymapNoSharedKeys checks that no key is bound twice where both
// bindings could act: the global keys with each view's own, and each
// typing mode (a group nested in a view's) with the keys that work in it.
// CloseHelp acts only while the help is shown, and then before the view's
// keys (esc closes the help rather than leaving the miner view), so it is
// checked with the global keys only.
func TestKeymapNoSharedKeys(t *testing.T) {
	root := walkKeys(reflect.ValueOf(Keys), "Keys")
	global := map[string]key.Binding{}
	for p, b := range root.bindings {
		if p != "Keys.CloseHelp" {
			global[p] = b
		}
	}
	check := func(what string, sets ...map[string]key.Binding) {
		t.Helper()
		seen := map[string]string{}
		for _, set := range sets {
			for p, b := range set {
				for _, k := range b.Keys() {
					if q, dup := seen[k]; dup && q != p {
						t.Errorf("%s: %q is bound by %s and %s", what, k, q, p)
					}
					seen[k] = p
				}
			}
		}
	}
	check("help shown", root.bindings)
	for _, g := range root.groups {
		check(g.path, global, g.bindings)
		for _, mode := range g.groups {
			check(mode.path, mode.bindings, map[string]key.Binding{"Keys.ForceQuit": Keys.ForceQuit, "Keys.Copy": Keys.Copy})
			if len(mode.groups) > 0 {
				t.Errorf("%s: groups nest two deep, which the check does not cover", mode.path)
			}
		}
	}
}

// TestKeymapViewsAndAliases checks that Views binds one key per view and
// that the names the model makes up itself (the mouse wheel, typed
// characters) are the ones bubbletea gives the keys.
func TestKeymapViewsAndAliases(t *testing.T) {
	if n := len(Keys.Views.Keys()); n != int(numViews) {
		t.Errorf("Keys.Views binds %d keys for %d views", n, numViews)
	}
	for _, c := range []struct {
		msg tea.KeyPressMsg
		b   key.Binding
	}{
		{tea.KeyPressMsg{Code: tea.KeyUp}, Keys.Peers.Up},
		{tea.KeyPressMsg{Code: tea.KeyDown}, Keys.Peers.Down},
		{tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, Keys.Charts.Toggle},
		{tea.KeyPressMsg{Code: tea.KeyEscape}, Keys.CloseHelp},
		{tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, Keys.Prev},
		{tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}, Keys.Copy},
		{tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, Keys.ForceQuit},
		{tea.KeyPressMsg{Code: 'S', Text: "S", ShiftedCode: 'S'}, Keys.Peers.SortPrev},
	} {
		if !key.Matches(c.msg, c.b) {
			t.Errorf("%q does not match %v", c.msg.String(), c.b.Keys())
		}
	}
}
