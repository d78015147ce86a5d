package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"
)

// SEC EDGAR (docs/upstreams.md, SEC EDGAR): the XBRL company facts of the listed miners that
// file 10-Q and 10-K, turned into econ.Quarter values (sec_quarters.go).
// The decoder is in sec_facts.go.
//
// EDGAR's fair-access rules shape this file: every request declares a
// User-Agent naming a person or company and an email address (without one
// the SEC answers 403 with an HTML page), and one user may make at most 10
// requests a second across all machines (beyond that the SEC blocks the
// address for about ten minutes). hashdeck stays at half that rate.

// SECSource names SEC EDGAR in errors and health.
const SECSource = "SEC EDGAR"

// SEC EDGAR paths. The company-facts path takes the CIK zero-padded to 10
// digits.
const (
	secCompanyFactsPath = "/api/xbrl/companyfacts/CIK%010d.json"
	secTickersPath      = "/files/company_tickers.json"
)

// SECTickersBase serves /files/company_tickers.json when the company facts
// come from the public data.sec.gov (which does not serve that file). Any
// other base (HASHDECK_SEC_URL) is asked for both.
const SECTickersBase = "https://www.sec.gov"

// SECUserAgentEnv is the environment variable that carries the declared
// User-Agent ("Your Name you@example.com"), beside the config file's
// [sec] user_agent. The provider does not read it; the config loader does.
const SECUserAgentEnv = "HASHDECK_SEC_USER_AGENT"

// SECMaxRequestsPerSecond is hashdeck's pace towards SEC EDGAR: half the
// 10 requests a second the SEC allows one user.
const SECMaxRequestsPerSecond = 5

// SEC client defaults; SECOptions fields left zero take these.
const (
	// DefaultSECTimeout bounds one request, body included: a company-facts
	// file runs to tens of MB.
	DefaultSECTimeout = 2 * time.Minute
	// DefaultSECMaxBody caps a company-facts body (uncompressed).
	DefaultSECMaxBody = 512 << 20
	// SECBlockedWait is how long the SEC blocks an address that went over
	// its rate limit ("Request Rate Threshold Exceeded"), used as the
	// Retry-After of that 403 page, which carries no header.
	SECBlockedWait = 10 * time.Minute
)

// ErrNoUserAgent is returned when no User-Agent, or one without a name
// and an email address, is configured: SEC EDGAR refuses undeclared
// clients, and hashdeck never makes up a contact. No request is made.
var ErrNoUserAgent = errors.New(`SEC EDGAR needs a User-Agent with your name and email address: set [sec] user_agent = "Your Name you@example.com" or ` + SECUserAgentEnv)

// ErrSECBlocked marks a 403 from SEC EDGAR: it refused the client, almost
// always because the User-Agent is missing, generic or not accepted.
var ErrSECBlocked = errors.New("blocked by SEC EDGAR: check the User-Agent ([sec] user_agent or " + SECUserAgentEnv + ": your name and email address)")

// ErrSECRateLimited marks SEC EDGAR's rate limit: an HTTP 429, or its 403
// "Request Rate Threshold Exceeded" page. The error also wraps the
// *HTTPError, whose RetryAfter says how long to wait.
var ErrSECRateLimited = errors.New("SEC EDGAR rate limit: too many requests from this address")

// ErrSECNotFound marks a 404: EDGAR has no XBRL company facts for the CIK
// (a wrong CIK, or a filer with no XBRL financial statements).
var ErrSECNotFound = errors.New("SEC EDGAR has no XBRL company facts for this CIK")

// SECLimiter paces requests to SEC EDGAR: Wait returns when a request may
// go, or with ctx's error. *rate.Limiter implements it.
type SECLimiter interface {
	Wait(ctx context.Context) error
}

// NewSECLimiter returns the limiter every SEC EDGAR client of a process
// should share: SECMaxRequestsPerSecond requests a second, no burst, so
// that no second ever holds more than five requests.
func NewSECLimiter() *rate.Limiter {
	return rate.NewLimiter(SECMaxRequestsPerSecond, 1)
}

// secEmailRE matches an email address.
var secEmailRE = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$`)

// secPlaceholderDomains are domains reserved for examples (RFC 2606): an
// address there is not a contact.
var secPlaceholderDomains = []string{"example.com", "example.org", "example.net", ".example", ".invalid", ".test", ".localhost"}

// CheckSECUserAgent reports whether ua declares a client the way SEC
// EDGAR asks: a name (a word with a letter) and an email address, e.g.
// "Jane Doe jane@doe.dev" or "Acme Research ops@acme.io". Angle brackets
// or parentheses around the address are accepted. An empty ua, one
// without both parts, an address at an example domain (example.com, …),
// control characters or more than 200 bytes give an error wrapping
// ErrNoUserAgent.
func CheckSECUserAgent(ua string) error {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return ErrNoUserAgent
	}
	bad := func(why string) error {
		return fmt.Errorf("User-Agent %q %s: %w", Clip(ua, 60), why, ErrNoUserAgent)
	}
	if len(ua) > 200 {
		return bad("is longer than 200 bytes")
	}
	for _, r := range ua {
		if unicode.IsControl(r) {
			return bad("contains a control character")
		}
	}
	var email string
	name := false
	for _, f := range strings.Fields(ua) {
		bare := strings.Trim(f, "<>()[],;")
		if secEmailRE.MatchString(bare) {
			if email == "" {
				email = strings.ToLower(bare)
			}
			continue
		}
		if strings.ContainsFunc(f, unicode.IsLetter) {
			name = true
		}
	}
	switch {
	case email == "":
		return bad("has no email address")
	case !name:
		return bad("has no name beside the email address")
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	for _, p := range secPlaceholderDomains {
		placeholder := strings.HasSuffix(domain, p) // ".test" and the like
		if !strings.HasPrefix(p, ".") {
			placeholder = domain == p || strings.HasSuffix(domain, "."+p)
		}
		if placeholder {
			return bad("gives a placeholder address (" + domain + "), not a contact")
		}
	}
	return nil
}

// SECOptions configure an SEC EDGAR client.
type SECOptions struct {
	// UserAgent declares who is asking: "Your Name you@example.com" (see
	// CheckSECUserAgent). Required: it is sent exactly as given (trimmed)
	// with every request.
	UserAgent string
	// Timeout bounds one request, reading the body included
	// (DefaultSECTimeout).
	Timeout time.Duration
	// Limiter paces every request (NewSECLimiter() if nil). Give every SEC
	// client of a process the same limiter: the SEC counts per user.
	Limiter SECLimiter
	// MaxBody caps a body in bytes (DefaultSECMaxBody).
	MaxBody int64
}

// SECClient requests SEC EDGAR's company facts and ticker map. It is safe
// for concurrent use; requests are paced by its limiter.
type SECClient struct {
	base, tickersBase string
	ua                string
	lim               SECLimiter
	maxBody           int64
	r                 *resty.Client
}

// NewSECClient returns a client for base (scheme://host[:port]; the public
// one is DefaultEndpoints().SEC). It fails with an error wrapping
// ErrNoUserAgent when o.UserAgent is missing or is not a name and an email
// address, and when base is not a base URL.
func NewSECClient(base string, o SECOptions) (*SECClient, error) {
	if err := CheckSECUserAgent(o.UserAgent); err != nil {
		return nil, err
	}
	b, err := ParseBaseURL(base)
	if err != nil {
		return nil, fmt.Errorf("%s base URL: %w", SECSource, err)
	}
	// The ticker map is on www.sec.gov when the base is the public
	// data.sec.gov, else on the base itself (a mirror or a test server).
	tb := b
	if b == DefaultEndpoints().SEC {
		tb = SECTickersBase
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultSECTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultSECMaxBody
	}
	if o.Limiter == nil {
		o.Limiter = NewSECLimiter()
	}
	// Go's transport asks for gzip and inflates the body itself, as long
	// as no Accept-Encoding header is set here.
	r := resty.New().
		SetTimeout(o.Timeout).
		SetRetryCount(0).
		SetRedirectPolicy(resty.RedirectPolicyFunc(sameHostRedirect)).
		SetHeader("User-Agent", strings.TrimSpace(o.UserAgent)).
		SetHeader("Accept", "application/json").
		SetLogger(discardLogger{})
	return &SECClient{base: b, tickersBase: tb, ua: strings.TrimSpace(o.UserAgent), lim: o.Limiter, maxBody: o.MaxBody, r: r}, nil
}

// SECValidators are a response's cache validators, sent back with the next
// request for the same file so that an unchanged file costs a 304.
type SECValidators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// IsZero reports whether there is no validator.
func (v SECValidators) IsZero() bool { return v.ETag == "" && v.LastModified == "" }

// secResponse is a 2xx or 304 answer whose body the caller must close.
type secResponse struct {
	notModified bool
	validators  SECValidators
	date        time.Time
	body        io.ReadCloser
}

// get makes one paced GET of base+path with the validators as conditional
// headers. A status of 400 or more is an error (see CompanyFacts); a 304
// is returned with notModified set and no body.
func (c *SECClient) get(ctx context.Context, base, path string, v SECValidators) (*secResponse, error) {
	if err := c.lim.Wait(ctx); err != nil {
		return nil, fmt.Errorf("%s %s: waiting for the rate limit: %w", SECSource, path, err)
	}
	req := c.r.R().SetContext(ctx).SetDoNotParseResponse(true)
	if v.ETag != "" {
		req.SetHeader("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.SetHeader("If-Modified-Since", v.LastModified)
	}
	resp, err := req.Get(base + path)
	if err != nil {
		if resp != nil && resp.RawBody() != nil {
			resp.RawBody().Close()
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", SECSource, path, ctx.Err())
		}
		return nil, fmt.Errorf("%s %s: %w", SECSource, path, err)
	}
	body := resp.RawBody()
	h := resp.Header()
	date := resp.ReceivedAt()
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		date = d
	}
	out := &secResponse{
		validators: SECValidators{ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified")},
		date:       date,
	}
	switch st := resp.StatusCode(); {
	case st == http.StatusNotModified:
		body.Close()
		out.notModified = true
		return out, nil
	case st >= 400:
		defer body.Close()
		return nil, secStatusError(path, st, h, date, body)
	case st < 200 || st > 299:
		body.Close()
		return nil, fmt.Errorf("%s %s: unexpected HTTP %d", SECSource, path, st)
	}
	out.body = &secLimitedBody{r: body, c: body, left: c.maxBody, limit: c.maxBody}
	return out, nil
}

// secStatusError turns an answer with status ≥ 400 into an *HTTPError,
// wrapped with ErrSECBlocked (403) or ErrSECRateLimited (429 or the 403
// rate page, whose RetryAfter is then SECBlockedWait unless a header says
// otherwise).
func secStatusError(path string, status int, h http.Header, date time.Time, body io.Reader) error {
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	he := &HTTPError{
		Source:     SECSource,
		Path:       path,
		Status:     status,
		RetryAfter: parseRetryAfter(h.Get("Retry-After"), date),
		Detail:     describeBody(raw, h.Get("Content-Type")),
	}
	switch status {
	case http.StatusTooManyRequests:
		return fmt.Errorf("%w: %w", ErrSECRateLimited, he)
	case http.StatusForbidden:
		if strings.Contains(strings.ToLower(string(raw)), "request rate threshold exceeded") {
			if he.RetryAfter == 0 {
				he.RetryAfter = SECBlockedWait
			}
			return fmt.Errorf("%w: %w", ErrSECRateLimited, he)
		}
		return fmt.Errorf("%w: %w", ErrSECBlocked, he)
	}
	return he
}

// ErrSECBodyTooLarge is returned when a body passes SECOptions.MaxBody.
var ErrSECBodyTooLarge = errors.New("body too large")

// secLimitedBody fails a read past the limit instead of truncating
// silently (a cut JSON file would otherwise read as a syntax error).
type secLimitedBody struct {
	r           io.Reader
	c           io.Closer
	left, limit int64
}

// Read reads at most the bytes left, then fails if the body goes on.
func (b *secLimitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrSECBodyTooLarge, b.limit)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the response body.
func (b *secLimitedBody) Close() error { return b.c.Close() }

// CompanyFacts fetches /api/xbrl/companyfacts/CIK##########.json for f's
// CIK and decodes it as it streams in (DecodeSECCompanyFacts), keeping
// only the facts of f.Concepts(). Pass the validators of the copy you hold:
// when the SEC answers 304 the result has NotModified set and no facts.
// The result's Validators and Date come from the response.
//
// Errors: a 403 wraps ErrSECBlocked (or ErrSECRateLimited for the rate
// page), a 429 ErrSECRateLimited, a 404 ErrSECNotFound, each with the
// *HTTPError (RetryAfter(err) gives the wait asked for); a body that is
// not company facts, or whose cik is not the one asked for, is an error
// naming the path.
func (c *SECClient) CompanyFacts(ctx context.Context, f SECFiler, v SECValidators) (SECCompanyFacts, error) {
	cik := f.CIK
	if cik <= 0 || cik > 9999999999 {
		return SECCompanyFacts{}, fmt.Errorf("%s: CIK %d is not a 1 to 10 digit number", SECSource, cik)
	}
	path := fmt.Sprintf(secCompanyFactsPath, cik)
	resp, err := c.get(ctx, c.base, path, v)
	if he := (*HTTPError)(nil); errors.As(err, &he) && he.Status == http.StatusNotFound {
		return SECCompanyFacts{}, fmt.Errorf("%w: %w", ErrSECNotFound, err)
	}
	if err != nil {
		return SECCompanyFacts{}, err
	}
	if resp.notModified {
		return SECCompanyFacts{CIK: cik, NotModified: true, Validators: resp.validators, Date: resp.date}, nil
	}
	defer resp.body.Close()
	facts, err := DecodeSECCompanyFacts(resp.body, f.Concepts())
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return SECCompanyFacts{}, fmt.Errorf("%s %s: %w", SECSource, path, err)
	}
	if facts.CIK != cik {
		return SECCompanyFacts{}, fmt.Errorf("%s %s: the file is for CIK %d, not %d", SECSource, path, facts.CIK, cik)
	}
	facts.Validators, facts.Date = resp.validators, resp.date
	return facts, nil
}

// SECTicker is one row of the SEC's ticker map.
type SECTicker struct {
	CIK   int64
	Title string
}

// Tickers fetches /files/company_tickers.json (about 10,000 listed
// companies) and returns it by ticker (upper case), to confirm the CIKs of
// SECFilers. It is paced like every request.
func (c *SECClient) Tickers(ctx context.Context) (map[string]SECTicker, error) {
	resp, err := c.get(ctx, c.tickersBase, secTickersPath, SECValidators{})
	if err != nil {
		return nil, err
	}
	if resp.notModified { // not asked for: no validators were sent
		return nil, fmt.Errorf("%s %s: unexpected 304", SECSource, secTickersPath)
	}
	defer resp.body.Close()
	m, err := decodeSECTickers(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", SECSource, secTickersPath, err)
	}
	return m, nil
}

// secTickerWire is one entry of company_tickers.json:
// {"cik_str":1507605,"ticker":"MARA","title":"MARA Holdings, Inc."}.
type secTickerWire struct {
	CIK    secCIK `json:"cik_str"`
	Ticker string `json:"ticker"`
	Title  string `json:"title"`
}

// decodeSECTickers decodes company_tickers.json, an object keyed "0", "1",
// … Entries without a ticker or CIK are skipped; a body that is not such
// an object is an error.
func decodeSECTickers(r io.Reader) (map[string]SECTicker, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := secExpectJSONObject(br); err != nil {
		return nil, err
	}
	var wire map[string]secTickerWire
	if err := json.NewDecoder(br).Decode(&wire); err != nil {
		return nil, fmt.Errorf("decoding the ticker map: %w", err)
	}
	out := make(map[string]SECTicker, len(wire))
	for _, e := range wire {
		t := strings.ToUpper(strings.TrimSpace(e.Ticker))
		if t == "" || e.CIK <= 0 {
			continue
		}
		out[t] = SECTicker{CIK: int64(e.CIK), Title: e.Title}
	}
	if len(out) == 0 {
		return nil, errors.New("the ticker map lists no company")
	}
	return out, nil
}

// secCIK is a CIK sent as a JSON number (1507605) or string ("0001507605").
type secCIK int64

// UnmarshalJSON implements json.Unmarshaler.
func (c *secCIK) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "null" || s == "" {
		*c = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 9999999999 {
		return fmt.Errorf("CIK %s is not a 1 to 10 digit number", Clip(s, 20))
	}
	*c = secCIK(n)
	return nil
}

// secExpectJSONObject peeks at the first non-blank byte and fails unless it
// opens a JSON object: HTML or text served with HTTP 200 is named as such.
func secExpectJSONObject(br *bufio.Reader) error {
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: empty body", ErrNotJSON)
			}
			return err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.ReadByte()
			continue
		case 0xEF: // a UTF-8 byte-order mark
			if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
				br.Discard(3)
				continue
			}
		case '{':
			return nil
		}
		head, _ := br.Peek(512)
		return fmt.Errorf("%w: %s", ErrNotJSON, describeBody(head, ""))
	}
}
