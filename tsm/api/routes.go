package api

import (
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint: its method and path exactly as the OpenAPI document
// writes them, the roles that may call it (nil: no token needed) and the
// handler.
type route struct {
	method, path string
	roles        []Role
	serve        func(w http.ResponseWriter, r *http.Request) error
}

var (
	anyRole   = []Role{RoleAdmin, RoleOperator, RoleAuditor}
	operators = []Role{RoleAdmin, RoleOperator}
	auditors  = []Role{RoleAdmin, RoleAuditor}
	admins    = []Role{RoleAdmin}
)

func (h *Handler) routeTable() []route {
	return []route{
		{"GET", "/healthz", nil, h.health},
		{"GET", "/openapi.json", nil, h.openapi},
		{"GET", "/metrics", nil, h.serveMetrics},
		{"GET", "/v1/cards", anyRole, h.listCards},
		{"GET", "/v1/cards/{cin}", anyRole, h.getCard},
		{"GET", "/v1/packages", anyRole, h.listPackages},
		{"POST", "/v1/packages", operators, h.uploadPackage},
		{"GET", "/v1/jobs", anyRole, h.listJobs},
		{"GET", "/v1/jobs/{id}", anyRole, h.getJob},
		{"POST", "/v1/campaigns", operators, h.createCampaign},
		{"GET", "/v1/campaigns/{id}", anyRole, h.getCampaign},
		{"GET", "/v1/audit", auditors, h.listAudit},
		{"POST", "/v1/audit/verify", auditors, h.verifyAudit},
		{"GET", "/v1/tokens", admins, h.listTokens},
	}
}

// newMux registers one dispatcher per path, so that a known path with
// another method is a JSON 405 naming the allowed methods, and anything
// else a JSON 404.
func (h *Handler) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	byPath := map[string][]route{}
	var paths []string
	for _, rt := range h.routes {
		if byPath[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		byPath[rt.path] = append(byPath[rt.path], rt)
	}
	for _, p := range paths {
		rs := byPath[p]
		var allow []string
		for _, rt := range rs {
			allow = append(allow, rt.method)
		}
		slices.Sort(allow)
		mux.Handle(p, h.access(p, func(w http.ResponseWriter, r *http.Request) error {
			for _, rt := range rs {
				if rt.method == r.Method {
					return h.authorize(w, r, rt)
				}
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return errorf(http.StatusMethodNotAllowed, codeMethod, "%s %s: allowed methods are %s", r.Method, p, strings.Join(allow, ", "))
		}))
	}
	mux.Handle("/", h.access("", func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, codeNotFound, "no such endpoint")
	}))
	return mux
}

// Route describes one endpoint: method, path pattern as in the OpenAPI
// document, and the roles that may call it (empty: no token needed).
type Route struct {
	Method, Path string
	Roles        []Role
}

// Routes lists the endpoints the handler serves, in a fixed order.
func (h *Handler) Routes() []Route {
	out := make([]Route, 0, len(h.routes))
	for _, rt := range h.routes {
		out = append(out, Route{Method: rt.method, Path: rt.path, Roles: slices.Clone(rt.roles)})
	}
	return out
}
