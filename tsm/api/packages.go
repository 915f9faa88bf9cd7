package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/tsm/catalog"
)

// listPackages: GET /v1/packages.
func (h *Handler) listPackages(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.Packages(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Packages []PackageView `json:"packages"`
	}{Packages: []PackageView{}}
	for _, p := range ps {
		out.Packages = append(out.Packages, packageView(p))
	}
	return writeJSON(w, http.StatusOK, out)
}

// upload is a CAP file with its metadata.
type upload struct {
	file                        []byte
	name, dapSignature, version string
}

// uploadPackage: POST /v1/packages, either multipart/form-data (part "file"
// and optional fields "name", "version", "dap_signature") or the raw CAP
// file as the body with the same fields as query parameters. A given
// version must equal the CAP file's package version (a guard against
// uploading the wrong file).
func (h *Handler) uploadPackage(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, h.opt.maxUpload+64<<10)
	u, err := h.readUpload(r)
	if err != nil {
		return err
	}
	if int64(len(u.file)) > h.opt.maxUpload {
		return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "CAP file larger than %d bytes", h.opt.maxUpload)
	}
	if len(u.file) == 0 {
		return errorf(http.StatusBadRequest, codeBadRequest, "no CAP file in the request")
	}
	dap, err := hex.DecodeString(u.dapSignature)
	if err != nil || len(dap) > 1024 {
		return errorf(http.StatusBadRequest, codeBadRequest, "dap_signature: want hex, at most 1024 bytes")
	}
	if len(dap) == 0 {
		dap = nil
	}
	if u.version != "" {
		f, err := cap.Parse("upload.cap", u.file)
		if err != nil {
			return err
		}
		if v := f.Package().Version; fmt.Sprintf("%d.%d", v.Major, v.Minor) != u.version {
			return errorf(http.StatusUnprocessableEntity, codeInvalid, "version %s given, the CAP file is version %d.%d", u.version, v.Major, v.Minor)
		}
	}
	p, err := h.svc.UploadPackage(r.Context(), caller(r).actor(), u.file, catalog.UploadOptions{Name: u.name, DAPSignature: dap})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, packageView(p))
}

func (h *Handler) readUpload(r *http.Request) (upload, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		q := r.URL.Query()
		b, err := io.ReadAll(r.Body)
		return upload{file: b, name: q.Get("name"), dapSignature: q.Get("dap_signature"), version: q.Get("version")}, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return upload{}, errorf(http.StatusBadRequest, codeBadRequest, "multipart body: %v", err)
	}
	var u upload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return u, nil
		}
		if err != nil {
			return upload{}, h.bodyError(err)
		}
		limit := int64(4 << 10)
		if part.FormName() == "file" {
			limit = h.opt.maxUpload + 1
		}
		b, err := io.ReadAll(io.LimitReader(part, limit))
		if err != nil {
			return upload{}, h.bodyError(err)
		}
		switch part.FormName() {
		case "file":
			u.file = b
		case "name":
			u.name = strings.TrimSpace(string(b))
		case "version":
			u.version = strings.TrimSpace(string(b))
		case "dap_signature":
			u.dapSignature = strings.TrimSpace(string(b))
		default:
			return upload{}, errorf(http.StatusBadRequest, codeBadRequest, "multipart body: unknown part %q", part.FormName())
		}
	}
}

// bodyError keeps a too-large body a 413 and makes other read errors 400.
func (h *Handler) bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return err
	}
	return errorf(http.StatusBadRequest, codeBadRequest, "multipart body: %v", err)
}
