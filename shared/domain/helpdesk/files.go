package helpdesk

import (
	"context"
	"fmt"
	"mime"
	"path"
	"strings"

	"github.com/ezscale/platform/shared/domain/helpdesk/mailin"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Upload is an attachment as it arrives.
type Upload struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data []byte `json:"data"` // base64 in JSON
}

// Attachment limits: what a hosting customer sends (screenshots, logs,
// PDFs, archives of configs), small enough for a Lambda request.
const (
	MaxFiles     = 5
	MaxFileBytes = 4 << 20
)

// fileTypes are the media types kept, by the extensions that may carry
// them. Anything else (executables, HTML, SVG with script) is refused:
// downloads are served as attachments, but a type that a browser would
// run is not worth the risk.
var fileTypes = map[string][]string{
	"image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}, "image/gif": {".gif"}, "image/webp": {".webp"},
	"application/pdf": {".pdf"}, "text/plain": {".txt", ".log", ".conf", ".cfg", ".ini", ".yaml", ".yml", ".json", ".csv", ""},
	"text/csv": {".csv"}, "application/json": {".json"}, "application/zip": {".zip"},
	"application/gzip": {".gz", ".tgz"}, "application/x-gzip": {".gz", ".tgz"}, "message/rfc822": {".eml"},
}

// FileType is the media type a file is kept as, and whether it is
// allowed at all.
func FileType(name, declared string) (string, bool) {
	mt, _, err := mime.ParseMediaType(declared)
	if err != nil {
		return "", false
	}
	exts, ok := fileTypes[mt]
	if !ok {
		return "", false
	}
	ext := strings.ToLower(path.Ext(name))
	for _, e := range exts {
		if e == ext {
			return mt, true
		}
	}
	return "", false
}

func checkUploads(f apperr.FieldErrors, files []Upload) {
	if len(files) > MaxFiles {
		f.Add("attachments", fmt.Sprintf("at most %d attachments", MaxFiles))
		return
	}
	for i, u := range files {
		field := fmt.Sprintf("attachments[%d]", i)
		switch _, ok := FileType(mailin.SafeName(u.Name), u.Type); {
		case len(u.Data) == 0:
			f.Add(field, "is empty")
		case len(u.Data) > MaxFileBytes:
			f.Add(field, fmt.Sprintf("is over %d MB", MaxFileBytes>>20))
		case !ok:
			f.Add(field, "must be an image, PDF, text, log or archive file whose name matches its type")
		}
	}
}

// saveFiles stores checked uploads under the ticket, names sanitised.
func (s *Service) saveFiles(ctx context.Context, ticketID string, files []Upload) ([]File, error) {
	out := []File{}
	for _, u := range files {
		name := mailin.SafeName(u.Name)
		mt, _ := FileType(name, u.Type)
		f := File{ID: ids.New("att"), Name: name, Type: mt, Size: len(u.Data)}
		f.Key = "helpdesk/attachments/" + ticketID + "/" + f.ID
		if err := s.c.Blobs.Put(ctx, f.Key, mt, u.Data); err != nil {
			return nil, apperr.Wrap(fmt.Errorf("store attachment: %w", err), apperr.Unavailable, "the attachment could not be stored; try again")
		}
		out = append(out, f)
	}
	return out, nil
}

// File returns an attachment of a ticket a may see (a customer: not one
// on an internal note), with its bytes.
func (s *Service) File(ctx context.Context, a Actor, ticketID, fileID string) (File, []byte, error) {
	v, err := s.Get(ctx, a, ticketID)
	if err != nil {
		return File{}, nil, err
	}
	for _, r := range v.Replies {
		for _, f := range r.Files {
			if f.ID == fileID {
				b, err := s.c.Blobs.Get(ctx, f.Key)
				if err != nil {
					return File{}, nil, fmt.Errorf("read attachment %s: %w", f.ID, err)
				}
				return f, b, nil
			}
		}
	}
	return File{}, nil, apperr.New(apperr.NotFound, "attachment %s not found", fileID)
}
