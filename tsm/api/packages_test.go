package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/tsm/api"
)

// purseCAP builds the payment applet's CAP file at another version.
func purseCAP(t *testing.T, minor byte) []byte {
	t.Helper()
	s := payment.CAPSpec()
	s.Packages[0].Version.Minor = minor
	b, err := cap.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func multipartBody(t *testing.T, fields map[string]string, file []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "purse.cap")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// TestPackages_Upload covers POST /v1/packages: multipart and raw uploads
// (201, listed afterwards), a version already stored (409), a wrong version
// or a file that is no CAP (422), an unknown part and a missing file (400)
// and a file over the limit (413).
func TestPackages_Upload(t *testing.T) {
	e := newEnv(t, 1, api.WithMaxUpload(16<<10))
	op := e.tokens[api.RoleOperator]

	body, ct := multipartBody(t, map[string]string{"name": "purse 1.1", "version": "1.1", "dap_signature": "0102"}, purseCAP(t, 1))
	status, _, resp := e.do("POST", "/v1/packages", op, ct, body)
	var p api.PackageView
	if err := json.Unmarshal(resp, &p); status != http.StatusCreated || err != nil || p.Version != "1.1" || p.Name != "purse 1.1" ||
		!bytes.Equal(p.AID, payment.PackageAID()) || len(p.LoadFileHash) != 32 || p.UploadedBy != "api:operator-token" || p.DAPSignature.String() != "0102" {
		t.Fatalf("multipart upload: %d %s", status, resp)
	}
	status, _, resp = e.do("POST", "/v1/packages?name=raw&version=1.2", op, "application/octet-stream", purseCAP(t, 2))
	if status != http.StatusCreated {
		t.Fatalf("raw upload: %d %s", status, resp)
	}
	var list struct{ Packages []api.PackageView }
	e.call("GET", "/v1/packages", api.RoleAuditor, nil, http.StatusOK, &list)
	if len(list.Packages) != 3 || list.Packages[2].Version != "1.2" || list.Packages[2].Name != "raw" {
		t.Errorf("catalog %+v", list.Packages)
	}

	status, _, resp = e.do("POST", "/v1/packages", op, "application/octet-stream", purseCAP(t, 1))
	wantError(t, "same version again", status, resp, http.StatusConflict, "conflict")
	status, _, resp = e.do("POST", "/v1/packages?version=2.0", op, "application/octet-stream", purseCAP(t, 3))
	wantError(t, "wrong version", status, resp, http.StatusUnprocessableEntity, "invalid")
	status, _, resp = e.do("POST", "/v1/packages", op, "application/octet-stream", []byte("PK not a CAP file"))
	wantError(t, "not a CAP", status, resp, http.StatusUnprocessableEntity, "invalid")
	body, ct = multipartBody(t, map[string]string{"colour": "blue"}, purseCAP(t, 4))
	status, _, resp = e.do("POST", "/v1/packages", op, ct, body)
	wantError(t, "unknown part", status, resp, http.StatusBadRequest, "bad_request")
	body, ct = multipartBody(t, map[string]string{"name": "nothing"}, nil)
	status, _, resp = e.do("POST", "/v1/packages", op, ct, body)
	wantError(t, "no file", status, resp, http.StatusBadRequest, "bad_request")
	status, _, resp = e.do("POST", "/v1/packages", op, "application/octet-stream", make([]byte, 100<<10))
	wantError(t, "too large", status, resp, http.StatusRequestEntityTooLarge, "too_large")
	body, ct = multipartBody(t, nil, make([]byte, 17<<10))
	status, _, resp = e.do("POST", "/v1/packages", op, ct, body)
	wantError(t, "too large multipart", status, resp, http.StatusRequestEntityTooLarge, "too_large")
}
