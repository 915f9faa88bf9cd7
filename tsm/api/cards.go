package api

import (
	"net/http"

	"github.com/cardhost/cardhost/tsm/store"
)

// listCards: GET /v1/cards?iin=&cplc_serial=&after=&limit=.
func (h *Handler) listCards(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f store.CardFilter
	var err error
	if f.IIN, err = hexParam("iin", q.Get("iin")); err != nil {
		return err
	}
	if f.CPLCSerial, err = hexParam("cplc_serial", q.Get("cplc_serial")); err != nil {
		return err
	}
	if f.AfterCIN, err = hexParam("after", q.Get("after")); err != nil {
		return err
	}
	if f.Limit, err = limitParam(r, 100); err != nil {
		return err
	}
	cs, err := h.svc.Cards(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Cards     []CardView `json:"cards"`
		NextAfter hexb       `json:"next_after,omitempty"`
	}{Cards: []CardView{}}
	for _, c := range cs {
		out.Cards = append(out.Cards, cardView(c))
	}
	if len(cs) == f.Limit {
		out.NextAfter = cs[len(cs)-1].CIN
	}
	return writeJSON(w, http.StatusOK, out)
}

// getCard: GET /v1/cards/{cin}.
func (h *Handler) getCard(w http.ResponseWriter, r *http.Request) error {
	cin, err := pathHex(r, "cin")
	if err != nil {
		return err
	}
	c, err := h.svc.Card(r.Context(), cin)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cardView(c))
}
