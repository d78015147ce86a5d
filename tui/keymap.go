package tui

import (
	"reflect"

	"charm.land/bubbles/v2/key"
)

// The keymap: every key the dashboard handles, defined once. The key
// reducers match presses against these bindings with key.Matches; the ?
// help, the tab bar's view keys and its "? keys  q quit" hint are made from
// the bindings, the help in the order the fields are declared.
//
// To add a key, add a key.Binding field to the group of its view (or to
// KeyMap for a global key), give it its value in Keys, and match it in the
// view's key reducer: the help and the tests find it by the field. Bindings
// that are two halves of one action (up and down, shorter and longer) share
// one Help — the same key label and description — and so one help row. A
// group nested in a view's group (ScenarioKeys.Typing) is a mode whose keys
// act instead of the view's. A new view adds its key to the viewKeys call
// in Keys and, for keys of its own, a group in KeyMap and a case in
// KeyMap.view.

// KeyMap is the dashboard's keymap: the global keys, then one group of
// keys per view.
type KeyMap struct {
	// Views switches to a view: its i-th key to the i-th view in tab order.
	Views key.Binding
	// Next and Prev switch to the next and previous view, wrapping.
	Next, Prev key.Binding
	// Help shows or hides the help; CloseHelp hides it, only while it is
	// shown (otherwise its key goes to the view).
	Help, CloseHelp key.Binding
	// Theme switches to the next theme.
	Theme key.Binding
	// Shorter and Longer step the chart range.
	Shorter, Longer key.Binding
	// Quit quits; ForceQuit quits even while a scenario value is typed.
	Quit, ForceQuit key.Binding
	// Copy copies the screen to the viewer's clipboard. The dashboard does
	// not handle it: the SSH server (hashdeck serve) does, before the
	// dashboard sees the key.
	Copy key.Binding

	// Peers, Charts, Detail, Scenario and Costs are the keys of each view.
	Peers    PeersKeys
	Charts   ChartsKeys
	Detail   DetailKeys
	Scenario ScenarioKeys
	Costs    CostsKeys
}

// CostsKeys are the keys of the costs view (the cost curve).
type CostsKeys struct {
	// Up and Down select a miner.
	Up, Down key.Binding
	// Scope cycles the scope the curve is drawn at; Sort its order.
	Scope, Sort key.Binding
	// Open opens the selected miner's detail.
	Open key.Binding
}

// PeersKeys are the keys of the peers table.
type PeersKeys struct {
	// Up and Down move the selection (so does the mouse wheel).
	Up, Down key.Binding
	// SortNext and SortPrev sort by the next and previous column.
	SortNext, SortPrev key.Binding
	// Reverse reverses the sort.
	Reverse key.Binding
	// Open opens the selected miner's detail.
	Open key.Binding
}

// ChartsKeys are the keys of the charts view.
type ChartsKeys struct {
	// Left and Right move the peer cursor, wrapping.
	Left, Right key.Binding
	// Toggle shows or hides the peer under the cursor.
	Toggle key.Binding
	// ShowAll shows every peer.
	ShowAll key.Binding
}

// DetailKeys are the keys of the miner (detail) view.
type DetailKeys struct {
	// Prev and Next show the previous and next miner in the peers table's order.
	Prev, Next key.Binding
	// Back returns to the peers table.
	Back key.Binding
}

// ScenarioKeys are the keys of the scenario view.
type ScenarioKeys struct {
	// Up and Down pick the input to change.
	Up, Down key.Binding
	// Less and More step the input down and up.
	Less, More key.Binding
	// Edit starts typing an exact value for the input.
	Edit key.Binding
	// Typing are the keys while a value is typed; every other key but
	// ForceQuit is ignored then.
	Typing TypingKeys
	// Reset resets the input to its live value; ResetAll the whole scenario.
	Reset, ResetAll key.Binding
}

// TypingKeys are the keys while a scenario value is typed.
type TypingKeys struct {
	// Apply applies the typed value.
	Apply key.Binding
	// Char types one character of the value.
	Char key.Binding
	// Delete deletes the last typed character.
	Delete key.Binding
	// Cancel stops typing and keeps the input as it was.
	Cancel key.Binding
}

// Keys is the dashboard's keymap. Treat it as read-only.
var Keys = KeyMap{
	Views:     viewKeys("1", "2", "3", "4", "5", "6"),
	Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch view")),
	Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "switch view")),
	Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "show or hide this help")),
	CloseHelp: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "show or hide this help")),
	Theme:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next theme")),
	Shorter:   key.NewBinding(key.WithKeys("["), key.WithHelp("[ / ]", "shorter / longer chart range (1M 3M 1Y 3Y all)")),
	Longer:    key.NewBinding(key.WithKeys("]"), key.WithHelp("[ / ]", "shorter / longer chart range (1M 3M 1Y 3Y all)")),
	Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	Copy:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "copy the screen to your clipboard (over SSH, hashdeck serve)")),

	Peers: PeersKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓ or k/j, mouse", "select a miner")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓ or k/j, mouse", "select a miner")),
		SortNext: key.NewBinding(key.WithKeys("s"), key.WithHelp("s / S", "sort by the next / previous column")),
		SortPrev: key.NewBinding(key.WithKeys("S"), key.WithHelp("s / S", "sort by the next / previous column")),
		Reverse:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reverse the sort")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the miner's detail")),
	},
	Charts: ChartsKeys{
		Left:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→ or h/l", "move the peer cursor")),
		Right:   key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→ or h/l", "move the peer cursor")),
		Toggle:  key.NewBinding(key.WithKeys("space", " "), key.WithHelp("space", "show or hide that peer")),
		ShowAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "show every peer")),
	},
	Detail: DetailKeys{
		Prev: key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓ or k/j", "previous / next miner")),
		Next: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓ or k/j", "previous / next miner")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the peers table")),
	},
	Costs: CostsKeys{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓ or k/j", "select a miner")),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓ or k/j", "select a miner")),
		Scope: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cycle the scope: power, direct, cash, all-in")),
		Sort:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by cost, hashrate or ticker")),
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the miner's detail")),
	},
	Scenario: ScenarioKeys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓ or k/j", "pick an input")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓ or k/j", "pick an input")),
		Less: key.NewBinding(key.WithKeys("left", "h", "-"), key.WithHelp("←/→ or h/l, -/+", "step the input down / up")),
		More: key.NewBinding(key.WithKeys("right", "l", "+"), key.WithHelp("←/→ or h/l, -/+", "step the input down / up")),
		Edit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type an exact value, enter again to apply")),
		Typing: TypingKeys{
			Apply: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type an exact value, enter again to apply")),
			Char: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "-", "k", "m", "e"),
				key.WithHelp("0–9 . - k m e", "while typing: digits, point, minus, k (×1,000), m (×1,000,000), e (exponent)")),
			Delete: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "while typing: delete the last character")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel typing")),
		},
		Reset:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "reset that input")),
		ResetAll: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "reset the whole scenario")),
	},
}

// viewKeys binds the i-th key to the i-th view; the help names the range.
func viewKeys(keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0]+"–"+keys[len(keys)-1], "switch view"))
}

// viewKey is the key that switches to view v.
func (km *KeyMap) viewKey(v View) string { return km.Views.Keys()[v] }

// view returns the keys of view v (nil for a view without keys of its own).
func (km *KeyMap) view(v View) any {
	switch v {
	case ViewPeers:
		return km.Peers
	case ViewCharts:
		return km.Charts
	case ViewDetail:
		return km.Detail
	case ViewScenario:
		return km.Scenario
	case ViewCosts:
		return km.Costs
	}
	return nil
}

// global returns the global bindings, in declaration order.
func (km *KeyMap) global() []key.Binding {
	var out []key.Binding
	v := reflect.ValueOf(*km)
	for i := range v.NumField() {
		if b, ok := v.Field(i).Interface().(key.Binding); ok {
			out = append(out, b)
		}
	}
	return out
}

// bindings returns the key.Binding fields of a group of keys in
// declaration order, those of a nested group in its place; nil for nil.
func bindings(group any) []key.Binding {
	if group == nil {
		return nil
	}
	var out []key.Binding
	v := reflect.ValueOf(group)
	for i := range v.NumField() {
		switch f := v.Field(i).Interface().(type) {
		case key.Binding:
			out = append(out, f)
		default:
			out = append(out, bindings(f)...)
		}
	}
	return out
}

// keyName is a key press as tea.KeyPressMsg.String() names it, so the key
// reducers (which take names, as the tests do) can use key.Matches.
type keyName string

// String returns the key's name.
func (k keyName) String() string { return string(k) }
