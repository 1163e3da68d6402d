package hubspotfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// Limits of hubspot.fetch (reference §1.1).
const (
	// MaxFetchBody bounds request and response bodies ("≤ 1 MB"; we read
	// 1 MB as 1 000 000 bytes, the stricter reading).
	MaxFetchBody = 1_000_000
	// DefaultFetchTimeout is hubspot.fetch's default timeout; MaxFetchTimeout
	// the most the newer docs allow the card to ask for.
	DefaultFetchTimeout = 15 * time.Second
	MaxFetchTimeout     = 120 * time.Second
	// MaxConcurrentFetches is the concurrency limit per app per installed
	// account; excess requests are answered 429 without reaching the backend.
	MaxConcurrentFetches = 20
)

// Errors of CardClient.Do.
var (
	ErrBodyTooLarge     = errors.New("hubspot.fetch: request body is larger than 1 MB")
	ErrResponseTooLarge = errors.New("hubspot.fetch: response body is larger than 1 MB")
)

// CardClient calls our backend the way HubSpot's hubspot.fetch does for an
// app card (reference §1.2 and §2): it appends appId, portalId, userId and
// userEmail to the query (in that order, after the caller's own
// parameters), sends the body as JSON and signs the exact URL and body it
// sends with v2 and v3 signatures. The card cannot set any other header.
//
// Like hubspot.fetch it retries once when the connection fails or the
// backend answers 5xx, within one timeout window, never follows redirects,
// refuses bodies over 1 MB and answers 429 itself past 20 concurrent
// requests. Unlike HubSpot it accepts http:// and loopback URLs, so tests
// can reach an httptest server.
//
// A CardClient is safe for concurrent use and must not be copied after its
// first use.
type CardClient struct {
	// HTTPClient sends the requests; default http.DefaultClient's
	// transport. Its redirect policy is replaced by "never follow".
	HTTPClient *http.Client
	AppID      int64
	PortalID   int64
	UserID     int64
	UserEmail  string
	// ClientSecret is the app's client secret, the signing key.
	ClientSecret string
	// Now stamps X-HubSpot-Request-Timestamp; default time.Now.
	Now func() time.Time
	// Timeout covers the request and its retry; default 15 s, at most 120 s.
	Timeout time.Duration
	// NoRetry turns off the one retry on connection failure or 5xx.
	NoRetry bool

	once  sync.Once
	slots fakekit.Slots
}

// Do sends method to rawURL with body, which is marshalled as JSON (a
// json.RawMessage or []byte is sent as is). GET and DELETE carry no body.
// The response body has been read in full and can be read again.
func (c *CardClient) Do(ctx context.Context, method, rawURL string, body any) (*http.Response, error) {
	method = strings.ToUpper(method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, fmt.Errorf("hubspot.fetch: method %s is not supported", method)
	}
	target, err := c.signedURL(rawURL)
	if err != nil {
		return nil, err
	}
	payload, err := fetchBody(method, body)
	if err != nil {
		return nil, err
	}

	c.once.Do(func() { c.slots.Limit = MaxConcurrentFetches })
	release, ok := c.slots.Acquire(strconv.FormatInt(c.AppID, 10) + "/" + strconv.FormatInt(c.PortalID, 10))
	if !ok {
		return tooManyFetches(), nil
	}
	defer release()

	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, min(timeout, MaxFetchTimeout))
	defer cancel()

	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ts := strconv.FormatInt(now().UnixMilli(), 10)
	header := http.Header{}
	if payload != nil {
		header.Set("Content-Type", "application/json")
	}
	header.Set("X-HubSpot-Signature", SignV2(c.ClientSecret, method, target, payload))
	header.Set("X-HubSpot-Signature-Version", "v2")
	header.Set("X-HubSpot-Signature-v3", SignV3(c.ClientSecret, method, target, payload, ts))
	header.Set("X-HubSpot-Request-Timestamp", ts)
	header.Set("User-Agent", "") // an empty User-Agent keeps net/http from adding its own

	client := http.Client{Transport: http.DefaultTransport}
	if c.HTTPClient != nil {
		client = *c.HTTPClient
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	attempts := 2
	if c.NoRetry {
		attempts = 1
	}
	var resp *http.Response
	for i := 0; i < attempts; i++ {
		resp, err = c.send(ctx, &client, method, target, header, payload)
		retry := (err != nil && ctx.Err() == nil && !errors.Is(err, ErrResponseTooLarge)) ||
			(err == nil && resp.StatusCode >= 500)
		if !retry {
			break
		}
	}
	return resp, err
}

// signedURL returns rawURL with HubSpot's query parameters appended; the
// caller's query is kept byte for byte and the fragment is dropped.
func (c *CardClient) signedURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("hubspot.fetch: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("hubspot.fetch: %q is not an absolute http(s) URL", rawURL)
	}
	added := "appId=" + strconv.FormatInt(c.AppID, 10) +
		"&portalId=" + strconv.FormatInt(c.PortalID, 10) +
		"&userId=" + strconv.FormatInt(c.UserID, 10) +
		"&userEmail=" + url.QueryEscape(c.UserEmail)
	query := added
	if u.RawQuery != "" {
		query = u.RawQuery + "&" + added
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath() + "?" + query, nil
}

// fetchBody serializes body as JSON.stringify would: compact, HTML
// characters unescaped. nil means no body.
func fetchBody(method string, body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	if method == http.MethodGet || method == http.MethodDelete {
		return nil, fmt.Errorf("hubspot.fetch: a %s request cannot have a body", method)
	}
	var payload []byte
	switch b := body.(type) {
	case json.RawMessage:
		payload = b
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = marshal(body); err != nil {
			return nil, fmt.Errorf("hubspot.fetch: encode body: %w", err)
		}
	}
	if !json.Valid(payload) {
		return nil, errors.New("hubspot.fetch: body is not JSON")
	}
	if len(payload) > MaxFetchBody {
		return nil, ErrBodyTooLarge
	}
	return payload, nil
}

// send makes one attempt and reads the whole answer.
func (c *CardClient) send(ctx context.Context, client *http.Client, method, target string, header http.Header, payload []byte) (*http.Response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("hubspot.fetch: %w", err)
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hubspot.fetch: %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetchBody+1))
	if err != nil {
		return nil, fmt.Errorf("hubspot.fetch: read answer of %s %s: %w", method, target, err)
	}
	if len(data) > MaxFetchBody {
		return nil, ErrResponseTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, nil
}

// tooManyFetches is HubSpot's answer past the concurrency limit; the body
// is ours (the reference gives only the status).
func tooManyFetches() *http.Response {
	body := `{"status":"error","message":"Too many concurrent hubspot.fetch requests for this app and account."}`
	return &http.Response{
		Status:        "429 Too Many Requests",
		StatusCode:    http.StatusTooManyRequests,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}
