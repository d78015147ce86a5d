package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Endpoints holds the base URL (scheme://host[:port]) of every upstream.
// Paths are fixed by each provider, so a local server can stand in for any
// upstream by serving the same paths.
//
// The toml tags are the keys of the configuration file's [providers]
// table; each key's environment variable is HASHDECK_ and the key in
// capitals (see WithEnv).
type Endpoints struct {
	Mempool        string `toml:"mempool_url"`
	BlockchainInfo string `toml:"blockchaininfo_url"` // serves both blockchain.info and api.blockchain.info paths when overridden
	Coinbase       string `toml:"coinbase_url"`
	Kraken         string `toml:"kraken_url"`
	CoinGecko      string `toml:"coingecko_url"`
	Yahoo          string `toml:"yahoo_url"`
	Nasdaq         string `toml:"nasdaq_url"`
	HashrateIndex  string `toml:"hashrateindex_url"`
	// SEC serves the XBRL company facts (data.sec.gov). An override serves
	// /files/company_tickers.json too, which the public default takes from
	// www.sec.gov (see SECTickersBase).
	SEC string `toml:"sec_url"`
}

// DefaultEndpoints returns the public base URLs.
func DefaultEndpoints() Endpoints {
	return Endpoints{
		Mempool:        "https://mempool.space",
		BlockchainInfo: "https://blockchain.info",
		Coinbase:       "https://api.coinbase.com",
		Kraken:         "https://api.kraken.com",
		CoinGecko:      "https://api.coingecko.com",
		Yahoo:          "https://query1.finance.yahoo.com",
		Nasdaq:         "https://api.nasdaq.com",
		HashrateIndex:  "https://api.hashrateindex.com",
		SEC:            "https://data.sec.gov",
	}
}

// endpointVars pairs each environment variable with the field it overrides.
func (e *Endpoints) endpointVars() []struct {
	name string
	dst  *string
} {
	return []struct {
		name string
		dst  *string
	}{
		{"HASHDECK_MEMPOOL_URL", &e.Mempool},
		{"HASHDECK_BLOCKCHAININFO_URL", &e.BlockchainInfo},
		{"HASHDECK_COINBASE_URL", &e.Coinbase},
		{"HASHDECK_KRAKEN_URL", &e.Kraken},
		{"HASHDECK_COINGECKO_URL", &e.CoinGecko},
		{"HASHDECK_YAHOO_URL", &e.Yahoo},
		{"HASHDECK_NASDAQ_URL", &e.Nasdaq},
		{"HASHDECK_HASHRATEINDEX_URL", &e.HashrateIndex},
		{"HASHDECK_SEC_URL", &e.SEC},
	}
}

// WithEnv returns e with every base URL that getenv overrides (see the
// HASHDECK_*_URL variables), or an error naming the variable whose value is
// not a scheme://host[:port] URL.
func (e Endpoints) WithEnv(getenv func(string) string) (Endpoints, error) {
	for _, v := range e.endpointVars() {
		raw := strings.TrimSpace(getenv(v.name))
		if raw == "" {
			continue
		}
		base, err := ParseBaseURL(raw)
		if err != nil {
			return e, fmt.Errorf("%s: %w", v.name, err)
		}
		*v.dst = base
	}
	return e, nil
}

// ParseBaseURL checks that raw is an http(s) URL with a host and no path,
// query or fragment, and returns it without a trailing slash.
func ParseBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return "", errors.New("not a URL (not shown: it may hold a key)")
	}
	// Messages show the URL without a password, query or fragment: a key
	// may have been pasted into any of them.
	shown := *u
	shown.RawQuery, shown.Fragment = "", ""
	q := strconv.Quote(shown.Redacted())
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%s: the scheme must be http or https", q)
	case u.Host == "":
		return "", fmt.Errorf("%s has no host", q)
	case u.User != nil:
		return "", fmt.Errorf("%s: give no user or password; paths and keys are set elsewhere", q)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%s: give only scheme://host[:port]; paths are fixed by each provider", q)
	}
	return u.Scheme + "://" + u.Host, nil
}

// BrowserUserAgent is sent to upstreams that refuse non-browser clients
// (Yahoo answers 429 to a missing or old User-Agent; Nasdaq hangs).
const BrowserUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"

// HTTPOptions configure one upstream client.
type HTTPOptions struct {
	// Timeout bounds each request (10 s if zero).
	Timeout time.Duration
	// UserAgent defaults to "hashdeck"; use BrowserUserAgent where required.
	UserAgent string
	// Headers are sent with every request (API keys go here; they are never logged).
	Headers map[string]string
	// MaxBody caps a response body in bytes (8 MiB if zero).
	MaxBody int
	// Now is the clock that dates history windows (time.Now if nil).
	Now func() time.Time
}

// HTTPClient does GET requests to one upstream through resty, with no
// automatic retries (the poller owns retry policy).
type HTTPClient struct {
	source string
	r      *resty.Client
}

// NewHTTPClient returns a client for the upstream named source at base.
func NewHTTPClient(source, base string, o HTTPOptions) *HTTPClient {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "hashdeck (+https://github.com/hashdeck/hashdeck)"
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 8 << 20
	}
	r := resty.New().
		SetBaseURL(base).
		SetTimeout(o.Timeout).
		SetRetryCount(0).
		SetResponseBodyLimit(o.MaxBody).
		SetHeader("User-Agent", o.UserAgent).
		SetRedirectPolicy(resty.RedirectPolicyFunc(sameHostRedirect)).
		SetLogger(discardLogger{})
	for k, v := range o.Headers {
		r.SetHeader(k, v)
	}
	return &HTTPClient{source: source, r: r}
}

// maxRedirects bounds a chain of redirects within one host.
const maxRedirects = 5

// sameHostRedirect follows a redirect only to the same host and never from
// https to http, so that the API keys sent as headers (which net/http
// copies onto every redirected request, unlike Authorization) reach only
// the host they were configured for. It also drops the Referer net/http
// adds, so the original URL is not told to anyone; a Referer the request
// set itself (Nasdaq asks for its site) is kept.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	switch {
	case len(via) > maxRedirects:
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	case !strings.EqualFold(req.URL.Host, first.URL.Host):
		return fmt.Errorf("refused a redirect to another host (%s)", req.URL.Host)
	case first.URL.Scheme == "https" && req.URL.Scheme != "https":
		return errors.New("refused a redirect from https to http")
	}
	if ref := first.Header.Get("Referer"); ref != "" {
		req.Header.Set("Referer", ref)
	} else {
		req.Header.Del("Referer")
	}
	return nil
}

// Response is a completed HTTP exchange with a 2xx status.
type Response struct {
	Status      int
	Body        []byte
	ContentType string
	// Date is the server's Date header (when the data refers to "now"), or
	// the time the response was received.
	Date time.Time
}

// Get requests path with query from the upstream. Any status of 400 or
// more is returned as an *HTTPError (with Retry-After when sent); transport
// failures are wrapped with the source name.
func (c *HTTPClient) Get(ctx context.Context, path string, query url.Values, headers map[string]string) (*Response, error) {
	req := c.r.R().SetContext(ctx)
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	for k, v := range headers {
		req.SetHeader(k, v)
	}
	resp, err := req.Get(path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", c.source, path, ctx.Err())
		}
		return nil, fmt.Errorf("%s %s: %w", c.source, path, err)
	}
	date := resp.ReceivedAt()
	if d, err := http.ParseTime(resp.Header().Get("Date")); err == nil {
		date = d
	}
	if resp.StatusCode() >= 400 {
		return nil, &HTTPError{
			Source:     c.source,
			Path:       path,
			Status:     resp.StatusCode(),
			RetryAfter: parseRetryAfter(resp.Header().Get("Retry-After"), date),
			Detail:     describeBody(resp.Body(), resp.Header().Get("Content-Type")),
		}
	}
	return &Response{Status: resp.StatusCode(), Body: resp.Body(), ContentType: resp.Header().Get("Content-Type"), Date: date}, nil
}

// GetJSON requests path and decodes a JSON body into v. A body that is not
// JSON (an HTML error page or plain text served with HTTP 200) is an error
// that quotes it briefly.
func (c *HTTPClient) GetJSON(ctx context.Context, path string, query url.Values, headers map[string]string, v any) (*Response, error) {
	resp, err := c.Get(ctx, path, query, headers)
	if err != nil {
		return nil, err
	}
	if err := DecodeJSON(resp.Body, v); err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.source, path, err)
	}
	return resp, nil
}

// ErrNotJSON is returned for a body that is not JSON.
var ErrNotJSON = errors.New("response is not JSON")

// DecodeJSON decodes body into v, with a clear error for an empty body or a
// body that is HTML or plain text.
func DecodeJSON(body []byte, v any) error {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return fmt.Errorf("%w: empty body", ErrNotJSON)
	}
	if t[0] != '{' && t[0] != '[' {
		return fmt.Errorf("%w: %s", ErrNotJSON, describeBody(t, ""))
	}
	if err := json.Unmarshal(t, v); err != nil {
		return fmt.Errorf("decoding JSON: %w", err)
	}
	return nil
}

// HTTPError is an upstream's answer with status 400 or more.
type HTTPError struct {
	Source string
	Path   string
	Status int
	// RetryAfter is how long the upstream asked us to wait (0 if it did not).
	RetryAfter time.Duration
	// Detail is a short description of the body (an HTML page's title, or
	// the first words of the text).
	Detail string
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d %s", e.Source, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Throttled reports whether the upstream rate-limited us.
func (e *HTTPError) Throttled() bool { return e.Status == http.StatusTooManyRequests }

// RetryAfter returns the shortest positive wait that any error in err's
// tree asks for (an *HTTPError's Retry-After header, or a *ThrottleError for
// a rate limit reported with HTTP 200), and false when none asks to wait.
// Joined errors are searched completely, so one part's wait is not hidden by
// another part's error.
func RetryAfter(err error) (time.Duration, bool) {
	var best time.Duration
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		var d time.Duration
		switch t := e.(type) {
		case *HTTPError:
			d = t.RetryAfter
		case *ThrottleError:
			d = t.RetryAfter
		}
		if d > 0 && (best == 0 || d < best) {
			best = d
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return best, best > 0
}

// ThrottleError is a rate limit reported in-band (HTTP 200 carrying
// "Too many requests", as Kraken and Alpha Vantage do).
type ThrottleError struct {
	Source     string
	Message    string
	RetryAfter time.Duration
}

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("%s: rate limited: %s", e.Source, e.Message)
}

// maxRetryAfter caps what an upstream may ask us to wait.
const maxRetryAfter = time.Hour

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (relative to now). Nonsense gives 0; the result is capped at an hour.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// describeBody summarises an error body in a few words: the title of an
// HTML page, or the first 100 characters of text with whitespace collapsed.
func describeBody(body []byte, contentType string) string {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return ""
	}
	html := bytes.HasPrefix(t, []byte("<")) || strings.Contains(contentType, "html")
	s := string(t)
	if html {
		if m := titleRE.FindStringSubmatch(s); m != nil {
			return "HTML page: " + Clip(strings.Join(strings.Fields(m[1]), " "), 80)
		}
		s = tagRE.ReplaceAllString(s, " ")
		return "HTML page: " + Clip(strings.Join(strings.Fields(s), " "), 80)
	}
	return Clip(strings.Join(strings.Fields(s), " "), 100)
}

// Clip shortens s to n runes, marking a cut with "…".
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// SleepCtx waits d (nothing when d ≤ 0), or until ctx ends.
func SleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// discardLogger keeps resty quiet: errors reach the poller as values.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// Num is a JSON number that upstreams may also send as a string ("108123.45",
// "$1,234.50", "+2.98%", "1.264E14"). null and placeholders ("", "N/A", "--")
// decode as not OK; a string that is not a number is a decoding error.
type Num struct {
	V  float64
	OK bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	*n = Num{}
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		v, ok, err := ParseNumber(str)
		if err != nil {
			return err
		}
		n.V, n.OK = v, ok
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", Clip(s, 40))
	}
	n.V, n.OK = v, true
	return nil
}

// ParseNumber parses a number that may carry formatting: a currency sign,
// thousands separators, a leading +, a trailing %. Empty strings and the
// placeholders "N/A", "NA", "--", "-" give ok=false with no error.
func ParseNumber(s string) (v float64, ok bool, err error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "", "N/A", "NA", "--", "-", "NULL", "NAN":
		return 0, false, nil
	}
	// Drop the formatting characters without allocating for short strings.
	var buf [64]byte
	clean := buf[:0]
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '$', ',', '%', '+', ' ':
		default:
			clean = append(clean, c)
		}
	}
	v, err = strconv.ParseFloat(string(clean), 64)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a number", Clip(s, 40))
	}
	return v, true, nil
}
