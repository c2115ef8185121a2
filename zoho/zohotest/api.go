package zohotest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// orgID and orgZGID identify the one organisation the fake serves; the
// Zoho SDKs name a token's user by the zgid.
const (
	orgID   = "4150868000000225001"
	orgZGID = "689853497"
)

// orgPath is Zoho CRM's GET org call in any API version.
var orgPath = regexp.MustCompile(`^/crm/v[0-9]+/org$`)

// api serves every path but the token endpoint as a Zoho API resource:
// GET /crm/v*/org answers as Zoho's org call, every other path as its
// current-user call (GET /crm/v8/users?type=CurrentUser). Both answers have
// the fields of Zoho's documented answers that clients read (the Zoho SDKs
// name a token's user "email:zgid" from them), each refresh token
// belonging to a user of its own.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.APICalls++
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Zoho-oauthtoken") || token == "" {
		s.stats.APIUnauthorized++
		writeJSON(w, http.StatusUnauthorized, []byte(`{"code":"AUTHENTICATION_FAILURE","details":{},"message":"Authentication failed","status":"error"}`))
		return
	}
	a, ok := s.access[token]
	if !ok || a.evicted || !s.opts.Now().Before(a.expires) || s.refresh[a.refresh].revoked {
		s.stats.APIUnauthorized++
		writeJSON(w, http.StatusUnauthorized, []byte(`{"code":"INVALID_OAUTHTOKEN","details":{},"message":"invalid oauth token","status":"error"}`))
		return
	}
	email := s.refresh[a.refresh].user
	var body any
	if r.Method == http.MethodGet && orgPath.MatchString(r.URL.Path) {
		body = map[string]any{"org": []any{map[string]any{
			"id": orgID, "zgid": orgZGID, "company_name": "zohotest", "primary_email": email, "domain_name": "org" + orgID,
			"country_code": "US", "currency": "US Dollar - USD", "iso_code": "USD", "time_zone": "UTC",
		}}}
	} else {
		name, _, _ := strings.Cut(email, "@")
		body = map[string]any{
			"users": []any{map[string]any{
				"id": "4150868000000" + name[len("user"):], "email": email, "first_name": name, "last_name": "zohotest",
				"full_name": name + " zohotest", "status": "active", "confirm": true,
				"role":    map[string]any{"name": "CEO", "id": "4150868000000026005"},
				"profile": map[string]any{"name": "Administrator", "id": "4150868000000026011"},
			}},
			"info": map[string]any{"per_page": 200, "count": 1, "page": 1, "more_records": false},
		}
	}
	b, _ := json.Marshal(body)
	writeJSON(w, http.StatusOK, b)
}
