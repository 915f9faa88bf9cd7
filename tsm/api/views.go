package api

import (
	"encoding/json"
	"time"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/tsm/store"
)

// hexb marshals as upper-case hex; empty slices are omitted with omitempty.
type hexb = gpcard.HexBytes

// timeOrNil returns nil for the zero time, so JSON shows null.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// CardView is a card in API responses: public identifiers, security
// domains, key sets by KVN and KCV (never key values), load files and
// applications.
type CardView struct {
	CIN          hexb       `json:"cin"`
	IIN          hexb       `json:"iin,omitempty"`
	CPLCSerial   hexb       `json:"cplc_serial,omitempty"`
	CPLC         hexb       `json:"cplc,omitempty"`
	ISDAID       hexb       `json:"isd_aid,omitempty"`
	LifeCycle    byte       `json:"life_cycle"`
	Domains      []domain   `json:"domains"`
	KeySets      []keySet   `json:"key_sets"`
	LoadFiles    []loadFile `json:"load_files"`
	Applications []appView  `json:"applications"`
	RefreshedAt  *time.Time `json:"refreshed_at"`
	CreatedAt    *time.Time `json:"created_at"`
}

type domain struct {
	AID          hexb `json:"aid"`
	LifeCycle    byte `json:"life_cycle"`
	Privileges   hexb `json:"privileges,omitempty"`
	AssociatedSD hexb `json:"associated_sd,omitempty"`
}

type keySet struct {
	SDAID hexb      `json:"sd_aid"`
	KVN   byte      `json:"kvn"`
	Keys  []keyInfo `json:"keys"`
}

type keyInfo struct {
	ID     byte `json:"id"`
	Type   byte `json:"type"`
	Length int  `json:"length"`
	KCV    hexb `json:"kcv,omitempty"`
}

type loadFile struct {
	AID          hexb   `json:"aid"`
	Version      string `json:"version"`
	LifeCycle    byte   `json:"life_cycle"`
	AssociatedSD hexb   `json:"associated_sd,omitempty"`
}

type appView struct {
	AID          hexb `json:"aid"`
	LoadFileAID  hexb `json:"load_file_aid,omitempty"`
	LifeCycle    byte `json:"life_cycle"`
	Privileges   hexb `json:"privileges,omitempty"`
	AssociatedSD hexb `json:"associated_sd,omitempty"`
}

func cardView(c store.Card) CardView {
	v := CardView{CIN: c.CIN, IIN: c.IIN, CPLCSerial: c.CPLCSerial, CPLC: c.CPLC, ISDAID: c.ISDAID, LifeCycle: c.LifeCycle,
		Domains: []domain{}, KeySets: []keySet{}, LoadFiles: []loadFile{}, Applications: []appView{},
		RefreshedAt: timeOrNil(c.RefreshedAt), CreatedAt: timeOrNil(c.CreatedAt)}
	for _, d := range c.Domains {
		v.Domains = append(v.Domains, domain{d.AID, d.LifeCycle, d.Privileges, d.AssociatedSD})
	}
	for _, ks := range c.KeySets {
		s := keySet{SDAID: ks.SDAID, KVN: ks.KVN, Keys: []keyInfo{}}
		for _, k := range ks.Keys {
			s.Keys = append(s.Keys, keyInfo{k.ID, k.Type, k.Length, k.KCV})
		}
		v.KeySets = append(v.KeySets, s)
	}
	for _, l := range c.LoadFiles {
		v.LoadFiles = append(v.LoadFiles, loadFile{l.AID, l.Version.String(), l.LifeCycle, l.AssociatedSD})
	}
	for _, a := range c.Applications {
		v.Applications = append(v.Applications, appView{a.AID, a.LoadFileAID, a.LifeCycle, a.Privileges, a.AssociatedSD})
	}
	return v
}

// PackageView is a catalog entry in API responses (the wrapped key's
// reference and salt stay inside).
type PackageView struct {
	AID          hexb       `json:"aid"`
	Version      string     `json:"version"`
	Name         string     `json:"name"`
	Applets      []hexb     `json:"applets"`
	LoadFileHash hexb       `json:"load_file_hash"`
	HashAlg      string     `json:"hash_alg"`
	Size         int64      `json:"size"`
	DAPSignature hexb       `json:"dap_signature,omitempty"`
	UploadedBy   string     `json:"uploaded_by"`
	UploadedAt   *time.Time `json:"uploaded_at"`
}

func packageView(p store.Package) PackageView {
	v := PackageView{AID: p.AID, Version: p.Version.String(), Name: p.Name, Applets: []hexb{}, LoadFileHash: p.LoadFileHash,
		HashAlg: p.HashAlg, Size: p.Size, DAPSignature: p.DAPSignature, UploadedBy: p.UploadedBy, UploadedAt: timeOrNil(p.UploadedAt)}
	for _, a := range p.Applets {
		v.Applets = append(v.Applets, a)
	}
	return v
}

// JobView is a job in API responses; Steps only for GET /v1/jobs/{id}.
type JobView struct {
	ID         string     `json:"id"`
	CampaignID string     `json:"campaign_id,omitempty"`
	CardCIN    hexb       `json:"card_cin,omitempty"`
	Selector   string     `json:"selector,omitempty"`
	Plan       string     `json:"plan"`
	State      string     `json:"state"`
	Steps      []StepView `json:"steps,omitempty"`
	CreatedAt  *time.Time `json:"created_at"`
	UpdatedAt  *time.Time `json:"updated_at"`
}

// StepView is one step of a job: parameters and outcome as the store keeps
// them (JSON without key material: AIDs, KVNs, KCVs, key store labels).
type StepView struct {
	Index      int             `json:"index"`
	Kind       string          `json:"kind"`
	Params     json.RawMessage `json:"params"`
	State      string          `json:"state"`
	Attempts   int             `json:"attempts"`
	Outcome    json.RawMessage `json:"outcome"`
	Error      string          `json:"error,omitempty"`
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
}

func rawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

func jobView(j store.Job) JobView {
	v := JobView{ID: j.ID, CampaignID: j.CampaignID, CardCIN: j.CardCIN, Selector: j.Selector, Plan: j.Plan,
		State: string(j.State), CreatedAt: timeOrNil(j.CreatedAt), UpdatedAt: timeOrNil(j.UpdatedAt)}
	for _, s := range j.Steps {
		v.Steps = append(v.Steps, StepView{Index: s.Index, Kind: s.Kind, Params: rawOrNull(s.Params), State: string(s.State),
			Attempts: s.Attempts, Outcome: rawOrNull(s.Outcome), Error: s.Error, StartedAt: timeOrNil(s.StartedAt),
			FinishedAt: timeOrNil(s.FinishedAt)})
	}
	return v
}

// AuditView is an audit entry; hashes are lower-case hex SHA-256.
type AuditView struct {
	Seq       int64           `json:"seq"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor"`
	CardCIN   hexb            `json:"card_cin,omitempty"`
	Operation string          `json:"operation"`
	Details   json.RawMessage `json:"details"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// TokenView is a token without its hash.
type TokenView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt *time.Time `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}
