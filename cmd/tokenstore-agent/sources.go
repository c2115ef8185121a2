package main

import (
	"container/list"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// sources keeps one refresh.Source per record ID, made on first use and
// reused, at most max of them (the least recently used is dropped: a
// Source holds no state that matters beyond its last token, which the
// store also has).
type sources struct {
	store    tokenstore.Store
	opts     refresh.Options
	endpoint func(tokenstore.Token) (oauth2.Endpoint, error)
	max      int

	mu      sync.Mutex
	byID    map[string]*list.Element
	order   *list.List           // front: most recently used; values *sourceEntry
	expired map[string]time.Time // when this agent last expired a refused token, by record
}

type sourceEntry struct {
	id  string
	src *refresh.Source
}

func newSources(store tokenstore.Store, opts refresh.Options, endpoint func(tokenstore.Token) (oauth2.Endpoint, error), max int) *sources {
	return &sources{store: store, opts: opts, endpoint: endpoint, max: max, byID: map[string]*list.Element{}, order: list.New(), expired: map[string]time.Time{}}
}

// get returns the Source of t's record (t as found in the store).
func (s *sources) get(t tokenstore.Token) (*refresh.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[t.ID]; ok {
		s.order.MoveToFront(e)
		return e.Value.(*sourceEntry).src, nil
	}
	ep, err := s.endpoint(t)
	if err != nil {
		return nil, err
	}
	src, err := refresh.New(s.store, tokenstore.Token{ID: t.ID}, ep, &s.opts)
	if err != nil {
		return nil, err
	}
	s.byID[t.ID] = s.order.PushFront(&sourceEntry{id: t.ID, src: src})
	for s.order.Len() > s.max {
		old := s.order.Remove(s.order.Back()).(*sourceEntry)
		delete(s.byID, old.id)
	}
	return src, nil
}

// forget drops the Source of a record, so that the next one reads the
// store instead of handing out the token it last returned.
func (s *sources) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[id]; ok {
		s.order.Remove(e)
		delete(s.byID, id)
	}
}

// clear drops every Source.
func (s *sources) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID, s.order = map[string]*list.Element{}, list.New()
}

// mayExpire reports whether this agent may expire a refused token of
// record id now, at most once per gap, and if so notes that it does.
func (s *sources) mayExpire(id string, now time.Time, gap time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.expired[id]; ok && now.Sub(at) < gap {
		return false
	}
	if len(s.expired) >= s.max {
		for k, at := range s.expired {
			if now.Sub(at) >= gap {
				delete(s.expired, k)
			}
		}
	}
	if len(s.expired) >= s.max {
		return false // more records refused within gap than sources kept: hold off
	}
	s.expired[id] = now
	return true
}

// errNoDC: no data centre is known for a record.
var errNoDC = errors.New("the record's api_domain names no Zoho data centre and the agent was started without --dc")

// endpointFor chooses the token endpoint of a record: --accounts-url for
// every record (tests), else the data centre of its api_domain, else --dc.
func endpointFor(accountsURL, dc string) (func(tokenstore.Token) (oauth2.Endpoint, error), error) {
	if accountsURL != "" {
		u, err := url.Parse(accountsURL)
		if err != nil || u.Host == "" {
			return nil, usagef("--accounts-url %q: want scheme://host[:port]", accountsURL)
		}
		ep := oauth2.Endpoint{TokenURL: strings.TrimSuffix(accountsURL, "/") + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}
		return func(tokenstore.Token) (oauth2.Endpoint, error) { return ep, nil }, nil
	}
	var def *zoho.DC
	if dc != "" {
		d, ok := zoho.LookupDC(dc)
		if !ok {
			return nil, usagef("--dc %q: want one of us, eu, in, au, jp, cn, ca, sa", dc)
		}
		def = &d
	}
	return func(t tokenstore.Token) (oauth2.Endpoint, error) {
		if d, ok := zoho.DCOfAPIDomain(t.APIDomain); ok {
			return d.Endpoint(), nil
		}
		if def != nil {
			return def.Endpoint(), nil
		}
		return oauth2.Endpoint{}, &apiError{status: http.StatusConflict, code: "no_data_centre", message: errNoDC.Error()}
	}, nil
}

// countingTransport counts this agent's calls of the token endpoint.
type countingTransport struct {
	base http.RoundTripper
	m    *metrics
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	result := "error"
	if err == nil {
		result = fmt.Sprintf("%dxx", resp.StatusCode/100)
	}
	t.m.tokenCalls.WithLabelValues(result).Inc()
	if rs := fromContext(r.Context()); rs != nil {
		rs.tokenCalls.Add(1)
	}
	return resp, err
}
