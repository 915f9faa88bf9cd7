package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/tsm/api"
)

// TestOpenAPI_DescribesExactlyTheRoutes fetches /openapi.json and checks
// that every routed method and path is in the document and vice versa, that
// each operation's x-cardhost-roles equal the route's roles, and that every
// operation needing a token documents 401 and 403.
func TestOpenAPI_DescribesExactlyTheRoutes(t *testing.T) {
	e := newEnv(t, 1)
	status, hdr, body := e.do("GET", "/openapi.json", "", "", nil)
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", status, hdr.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Roles     []api.Role                 `json:"x-cardhost-roles"`
			Security  *[]map[string][]string     `json:"security"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented, routed []string
	for path, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+path)
		}
	}
	for _, rt := range e.h.Routes() {
		key := rt.Method + " " + rt.Path
		routed = append(routed, key)
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			continue
		}
		if !sameRoles(op.Roles, rt.Roles) {
			t.Errorf("%s: document roles %v, route roles %v", key, op.Roles, rt.Roles)
		}
		public := op.Security != nil && len(*op.Security) == 0
		if public != (len(rt.Roles) == 0) {
			t.Errorf("%s: security override %v but route roles %v", key, op.Security, rt.Roles)
		}
		if len(rt.Roles) > 0 && (op.Responses["401"] == nil || op.Responses["403"] == nil) {
			t.Errorf("%s: 401 or 403 undocumented", key)
		}
	}
	sort.Strings(documented)
	sort.Strings(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("documented operations\n%v\nrouted\n%v", documented, routed)
	}
}

func sameRoles(a, b []api.Role) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
