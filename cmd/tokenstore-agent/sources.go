package main

import (
	"container/list"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

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
	order   *list.List    // front: most recently used; values *sourceEntry
	retired refresh.Stats // the counters of the sources dropped, so that metrics never go down
}

type sourceEntry struct {
	id  string
	src *refresh.Source
}

func newSources(store tokenstore.Store, opts refresh.Options, endpoint func(tokenstore.Token) (oauth2.Endpoint, error), max int) *sources {
	return &sources{store: store, opts: opts, endpoint: endpoint, max: max, byID: map[string]*list.Element{}, order: list.New()}
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
		s.drop(s.order.Back())
	}
	return src, nil
}

// drop removes a Source, keeping its counters. s.mu is held.
func (s *sources) drop(e *list.Element) {
	old := s.order.Remove(e).(*sourceEntry)
	delete(s.byID, old.id)
	add(&s.retired, old.src.Stats())
}

// forget drops the Source of a deleted record.
func (s *sources) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[id]; ok {
		s.drop(e)
	}
}

// clear drops every Source.
func (s *sources) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.order.Len() > 0 {
		s.drop(s.order.Back())
	}
}

// stats adds up the counters of every Source this agent made.
func (s *sources) stats() refresh.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := s.retired
	for e := s.order.Front(); e != nil; e = e.Next() {
		add(&sum, e.Value.(*sourceEntry).src.Stats())
	}
	return sum
}

func add(sum *refresh.Stats, st refresh.Stats) {
	sum.TokenCalls += st.TokenCalls
	sum.Refreshes += st.Refreshes
	sum.Throttled += st.Throttled
	sum.Revoked += st.Revoked
	sum.LeaseWaits += st.LeaseWaits
	sum.Dropped += st.Dropped
	sum.Expired += st.Expired
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
